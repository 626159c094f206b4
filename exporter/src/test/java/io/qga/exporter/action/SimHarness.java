package io.qga.exporter.action;

import io.qga.client.AgentAddress;
import io.qga.client.protocol.AgentSession;
import io.qga.sim.SimulatedAgent;
import io.qga.sim.SimulatedGuest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Simulated guest agents on real unix sockets in a temp dir, each reached through a real {@link
 * AgentSession} and registered in a {@link TestDomains}. Never the host's own qemu-ga.
 */
public final class SimHarness implements AutoCloseable {
  public final TestDomains domains = new TestDomains();
  private final Path dir;
  private final List<SimulatedAgent> agents = new ArrayList<>();
  private final List<AgentSession> sessions = new ArrayList<>();

  public SimHarness() throws IOException {
    // unix socket paths are short: keep the directory under /tmp
    this.dir = Files.createTempDirectory(Path.of("/tmp"), "qga-policy-");
  }

  public TestDomains.TestDomain add(SimulatedGuest guest) throws IOException {
    SimulatedAgent agent = SimulatedAgent.start(dir.resolve(guest.domain() + ".sock"), guest);
    agents.add(agent);
    AgentSession session = new AgentSession(AgentAddress.unix(agent.socket()));
    sessions.add(session);
    return domains.add(guest.domain(), session);
  }

  @Override
  public void close() throws IOException {
    sessions.forEach(AgentSession::close);
    for (SimulatedAgent a : agents) {
      a.close();
    }
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(p);
      }
    }
    Files.deleteIfExists(dir);
  }
}
