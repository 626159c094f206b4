package io.qga.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qga.client.api.Filesystem;
import io.qga.client.api.GuestAgent;
import io.qga.client.api.GuestInfo;
import io.qga.client.protocol.AgentSession;
import io.qga.sim.testing.QemuGaProcess;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The client against the real qemu-ga serving this host, with every machine-changing command
 * blocked (QemuGaProcess.BLOCKED). Only read-only commands are sent.
 */
@Tag("real")
class RealQemuGaTest {
  @TempDir Path dir;
  private QemuGaProcess qemuGa;
  private AgentSession session;
  private GuestAgent agent;

  @BeforeEach
  void start() throws Exception {
    qemuGa = QemuGaProcess.start(dir);
    session = new AgentSession(AgentAddress.unix(qemuGa.socket()));
    agent = new GuestAgent(session);
  }

  @AfterEach
  void stop() {
    if (session != null) {
      session.close();
    }
    if (qemuGa != null) {
      qemuGa.stop();
    }
  }

  @Test
  void everyReadOnlyCommandParses() throws Exception {
    GuestInfo info = agent.info();
    assertThat(info.version()).isNotBlank();
    assertThat(info.supportedCommands())
        .extracting(GuestInfo.SupportedCommand::name)
        .contains("guest-ping");
    agent.ping();
    long nowNanos = System.currentTimeMillis() * 1_000_000L;
    assertThat(Math.abs(agent.getTime() - nowNanos)).isLessThan(60_000_000_000L);
    assertThat(agent.networkGetInterfaces()).extracting(i -> i.name()).contains("lo");
    assertThat(agent.getFsinfo()).allSatisfy(f -> assertThat(f.mountpoint()).isNotBlank());
    assertThat(agent.getUsers()).isNotNull();
    assertThat(agent.getMemoryBlocks()).isNotEmpty();
    assertThat(agent.getMemoryBlockInfo().size()).isPositive();
    assertThat(agent.getVcpus()).isNotEmpty();
    assertThat(agent.getOsinfo().kernelRelease()).isEqualTo(System.getProperty("os.version"));
    assertThat(agent.getHostName().hostName()).isEqualTo(InetAddress.getLocalHost().getHostName());
    assertThat(agent.getTimezone()).isNotNull();
    assertThat(agent.getDisks()).isNotNull();
    assertThat(agent.getDiskstats()).isNotEmpty();
    assertThat(agent.getCpustats()).isNotEmpty();
    assertThat(agent.fsfreezeStatus()).isNotNull();
    for (Filesystem f : agent.getFsinfo()) {
      if (f.totalBytes() != null && f.usedBytes() != null) {
        assertThat(f.usedBytes()).isBetween(0L, f.totalBytes());
      }
    }
    assertThat(session.stats().syncs()).isEqualTo(1);
    assertThat(session.stats().connects()).isEqualTo(1);
  }

  @Test
  void blockedCommandIsUnsupported() {
    // guest-fsfreeze-freeze is in the blocklist: qemu-ga refuses it without running it.
    assertThatThrownBy(() -> agent.fsfreezeFreeze())
        .isInstanceOf(AgentUnsupportedException.class)
        .hasMessageContaining("disabled");
    assertThat(agent.capabilities().supports("guest-fsfreeze-freeze")).isFalse();
    assertThat(agent.capabilities().supports("guest-get-osinfo")).isTrue();
  }

  @Test
  void commandAbsentFromThisVersionIsUnsupported() {
    assertThatThrownBy(() -> agent.getLoad()).isInstanceOf(AgentUnsupportedException.class);
  }

  @Test
  void requestsAbandonedByAnEarlierConnectionDoNotConfuseTheNextSession() throws Exception {
    // qemu-ga 7.2 in unix-listen mode quits ("error reading channel") when a client resets the
    // connection by closing with replies unread, so the earlier client half-closes and lets the
    // agent finish before it goes; it never looks at the replies. (On a virtio-serial channel
    // replies of a gone client reach the next one: AgentSessionTest covers that with the fake.)
    try (AFUNIXSocket raw = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(qemuGa.socket()))) {
      OutputStream out = raw.getOutputStream();
      StringBuilder requests = new StringBuilder();
      for (int i = 0; i < 50; i++) {
        requests.append(
            i % 2 == 0 ? "{\"execute\":\"guest-ping\"}\n" : "{\"execute\":\"guest-get-time\"}\n");
      }
      requests.append("{\"execute\":\"guest-get-osi"); // and a half-written one
      out.write(requests.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      raw.shutdownOutput();
      raw.setSoTimeout(10_000);
      raw.getInputStream().transferTo(OutputStream.nullOutputStream());
    }
    String host = agent.getHostName().hostName();
    assertThat(host).isEqualTo(InetAddress.getLocalHost().getHostName());
    assertThat(agent.getVcpus()).isNotEmpty();
    assertThat(agent.execute("guest-get-timezone", null).has("offset")).isTrue();
    assertThat(qemuGa.isAlive()).as(qemuGa.log()).isTrue();
  }

  @Test
  void timeoutThenResyncOnTheRealAgent() throws Exception {
    agent.ping();
    // a deadline too short for any reply leaves the channel dirty; the next command resyncs
    for (int i = 0; i < 5; i++) {
      try {
        session.execute(AgentCommand.of("guest-get-fsinfo"), Duration.ofMillis(1));
      } catch (AgentTimeoutException | io.qga.client.AgentConnectionException tooShort) {
        // the reply arrives later and must be discarded
      }
    }
    assertThat(agent.getHostName().hostName()).isNotBlank();
    // the real agent may beat 1 ms; every timeout it did not beat forced a resync
    if (session.stats().timeouts() > 0) {
      assertThat(session.stats().syncs()).isGreaterThanOrEqualTo(2);
    }
    assertThat(qemuGa.isAlive()).as(qemuGa.log()).isTrue();
  }
}
