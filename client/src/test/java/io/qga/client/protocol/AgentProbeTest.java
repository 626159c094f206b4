package io.qga.client.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.sim.scripted.ScriptedAgent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Probes on one thread against scripted agents on real unix sockets. */
class AgentProbeTest {
  @TempDir Path dir;
  private AgentProbe probe;
  private final List<ScriptedAgent> agents = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    probe = new AgentProbe();
  }

  @AfterEach
  void stop() {
    probe.close();
    agents.forEach(ScriptedAgent::close);
  }

  private ScriptedAgent agent(String name) throws Exception {
    ScriptedAgent a = ScriptedAgent.start(dir.resolve(name + ".sock"));
    agents.add(a);
    return a;
  }

  private CompletableFuture<AgentProbe.Result> probe(Path socket, Duration timeout) {
    CompletableFuture<AgentProbe.Result> result = new CompletableFuture<>();
    probe.probe(new AgentProbe.Target(socket, timeout, 1024), timeout, result::complete);
    return result;
  }

  @Test
  void aSessionOnAUnixSocketCanBeProbedWithItsOwnBounds() {
    Path socket = dir.resolve("a.sock");
    AgentSession session =
        new AgentSession(
            io.qga.client.AgentAddress.unix(socket),
            AgentSession.Options.defaults().withMaxReplyBytes(4096));
    assertThat(session.probeTarget())
        .contains(new AgentProbe.Target(socket, Duration.ofSeconds(3), 4096));
    AgentSession proxied =
        new AgentSession(
            io.qga.client.AgentAddress.unix(socket),
            AgentSession.Options.defaults().withTransports((a, t) -> null));
    assertThat(proxied.probeTarget()).isEmpty();
  }

  @Test
  void anAnsweringAgentIsSyncedPingedAndLeft() throws Exception {
    ScriptedAgent a = agent("up").staleOnConnect("{\"return\": 42}", "{\"return\": {}}");
    a.expect("guest-ping", "{\"return\": {}}");
    AgentProbe.Result r = probe(a.socket(), Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
    assertThat(r.answered()).as(String.valueOf(r.error())).isTrue();
    a.verify(); // after the sync, exactly one guest-ping: the stale lines were not taken for it
    assertThat(a.commands()).containsExactly("guest-ping");
  }

  @Test
  void aSyncOnlyProbeSendsNoCommand() throws Exception {
    ScriptedAgent a = agent("first");
    CompletableFuture<AgentProbe.Result> result = new CompletableFuture<>();
    probe.sync(
        new AgentProbe.Target(a.socket(), Duration.ofSeconds(10), 1024),
        Duration.ofSeconds(10),
        result::complete);
    assertThat(result.get(15, TimeUnit.SECONDS).answered()).isTrue();
    assertThat(a.requests()).isEmpty(); // syncs are not listed: nothing else was sent
  }

  @Test
  void aBlockedPingStillMeansTheAgentAnswers() throws Exception {
    ScriptedAgent a = agent("blocked");
    a.expect(
        "guest-ping",
        "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Command guest-ping has been"
            + " disabled\"}}");
    assertThat(probe(a.socket(), Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS).answered())
        .isTrue();
  }

  @Test
  void hungAgentsTimeOutTogetherWithoutAThreadEach() throws Exception {
    List<CompletableFuture<AgentProbe.Result>> hung = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      hung.add(probe(agent("hung-" + i).neverAnswer().socket(), Duration.ofMillis(500)));
    }
    ScriptedAgent healthy = agent("healthy");
    healthy.expect("guest-ping", "{\"return\": {}}");
    // one probe thread for all: the healthy agent's answer does not wait for the hung ones
    AgentProbe.Result ok =
        probe(healthy.socket(), Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
    assertThat(ok.answered()).isTrue();
    for (CompletableFuture<AgentProbe.Result> f : hung) {
      AgentProbe.Result r = f.get(15, TimeUnit.SECONDS);
      assertThat(r.answered()).isFalse();
      assertThat(r.timedOut()).isTrue();
      assertThat(r.error()).contains("agent not responding: no reply to guest-sync-delimited");
    }
    assertThat(probe.inProgress()).isZero();
  }

  @Test
  void noSocketFailsAtOnceAsAConnectionError() throws Exception {
    AgentProbe.Result r =
        probe(dir.resolve("nothing.sock"), Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
    assertThat(r.answered()).isFalse();
    assertThat(r.timedOut()).isFalse();
    assertThat(r.error()).contains("cannot connect to");
  }

  @Test
  void anOversizeReplyFailsTheProbe() throws Exception {
    ScriptedAgent a = agent("big");
    a.expect("guest-ping", "{\"return\": \"" + "x".repeat(5000) + "\"}");
    AgentProbe.Result r = probe(a.socket(), Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
    assertThat(r.answered()).isFalse();
    assertThat(r.error()).contains("exceeds the limit of 1024 bytes");
  }
}
