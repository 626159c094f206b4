package io.qga.client.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qga.client.AgentAddress;
import io.qga.client.AgentProtocolException;
import io.qga.client.AgentUnsupportedException;
import io.qga.client.protocol.AgentSession;
import io.qga.sim.scripted.ScriptedAgent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The typed API against replies of real, Windows and QEMU 2.x agents (simulator fixtures). */
class GuestAgentTest {
  @TempDir Path dir;
  private ScriptedAgent agent;
  private AgentSession session;

  private GuestAgent start(String flavour) throws Exception {
    agent = ScriptedAgent.start(dir.resolve("a.sock"));
    if (flavour != null) {
      agent.flavour(flavour);
    }
    session = new AgentSession(AgentAddress.unix(agent.socket()));
    return new GuestAgent(session).withTimeout(Duration.ofSeconds(3));
  }

  @AfterEach
  void stop() {
    if (session != null) {
      session.close();
    }
    if (agent != null) {
      agent.close();
    }
  }

  /** Runs a read: it parses, or the agent does not support it; nothing else. */
  private static <T> T readOrUnsupported(Supplier<T> read) {
    try {
      return read.get();
    } catch (AgentUnsupportedException e) {
      return null;
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"linux-7.2", "windows", "qemu-2.5"})
  void everyReadParsesOrIsUnsupported(String flavour) throws Exception {
    GuestAgent ga = start(flavour);
    assertThat(ga.info().supportedCommands()).isNotEmpty();
    readOrUnsupported(ga::networkGetInterfaces);
    readOrUnsupported(ga::getFsinfo);
    readOrUnsupported(ga::getUsers);
    readOrUnsupported(ga::getMemoryBlocks);
    readOrUnsupported(ga::getMemoryBlockInfo);
    readOrUnsupported(ga::getVcpus);
    readOrUnsupported(ga::getOsinfo);
    readOrUnsupported(ga::getHostName);
    readOrUnsupported(ga::getTimezone);
    readOrUnsupported(ga::getDisks);
    readOrUnsupported(ga::getDiskstats);
    readOrUnsupported(ga::getCpustats);
    readOrUnsupported(ga::getLoad);
    readOrUnsupported(ga::fsfreezeStatus);
    readOrUnsupported(ga::getTime);
    readOrUnsupported(() -> ga.fstrim(OptionalLong.empty()));
  }

  @Test
  void linuxShapes() throws Exception {
    GuestAgent ga = start("linux-7.2");
    assertThat(ga.info().version()).isEqualTo("7.2.22");
    Filesystem root =
        ga.getFsinfo().stream().filter(f -> "/".equals(f.mountpoint())).findFirst().orElseThrow();
    assertThat(root.totalBytes()).isPositive();
    assertThat(root.usedBytes()).isNotNull();
    assertThat(root.disks()).isNotEmpty();
    assertThat(root.disks().get(0).pciController()).isNotNull();
    assertThat(ga.networkGetInterfaces()).anySatisfy(i -> assertThat(i.statistics()).isNotNull());
    assertThat(ga.getCpustats())
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.type()).isEqualTo("linux"));
    assertThat(ga.getDisks()).anySatisfy(d -> assertThat(d.address()).isNotNull());
    assertThatThrownBy(ga::getLoad).isInstanceOf(AgentUnsupportedException.class);
    assertThat(ga.fsfreezeStatus()).isEqualTo(FreezeStatus.THAWED);
  }

  @Test
  void windowsShapes() throws Exception {
    GuestAgent ga = start("windows");
    List<Filesystem> fs = ga.getFsinfo();
    assertThat(fs).anySatisfy(f -> assertThat(f.mountpoint()).isEqualTo("C:\\"));
    assertThat(fs)
        .filteredOn(f -> "System Reserved".equals(f.mountpoint()))
        .allSatisfy(f -> assertThat(f.totalBytes()).isNull());
    assertThat(ga.getUsers()).isNotEmpty().allSatisfy(u -> assertThat(u.domain()).isNotBlank());
    assertThatThrownBy(ga::getMemoryBlocks).isInstanceOf(AgentUnsupportedException.class);
    assertThatThrownBy(ga::getCpustats).isInstanceOf(AgentUnsupportedException.class);
    assertThat(ga.fstrim(OptionalLong.empty()).paths())
        .allSatisfy(p -> assertThat(p.trimmed()).isNull());
  }

  @Test
  void qemu25Shapes() throws Exception {
    GuestAgent ga = start("qemu-2.5");
    assertThat(ga.networkGetInterfaces()).allSatisfy(i -> assertThat(i.statistics()).isNull());
    assertThat(ga.getFsinfo()).allSatisfy(f -> assertThat(f.usedBytes()).isNull());
    assertThatThrownBy(ga::getUsers).isInstanceOf(AgentUnsupportedException.class);
    assertThatThrownBy(ga::getHostName).isInstanceOf(AgentUnsupportedException.class);
  }

  @Test
  void unknownFieldsAreIgnoredAndWrongShapesAreProtocolErrors() throws Exception {
    GuestAgent ga = start(null);
    agent.expect("guest-get-host-name", "{\"return\": {\"host-name\": \"a\", \"new-field\": [1]}}");
    agent.expect("guest-get-vcpus", "{\"return\": {\"not\": \"a list\"}}");
    agent.expect("guest-get-time", "{\"return\": \"soon\"}");
    agent.expect("guest-fsfreeze-status", "{\"return\": \"melting\"}");
    agent.expect("guest-get-timezone", "{\"return\": {\"offset\": \"east\"}}");
    assertThat(ga.getHostName().hostName()).isEqualTo("a");
    assertThatThrownBy(ga::getVcpus)
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("array");
    assertThatThrownBy(ga::getTime)
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("integer");
    assertThatThrownBy(ga::fsfreezeStatus).isInstanceOf(AgentProtocolException.class);
    assertThatThrownBy(ga::getTimezone).isInstanceOf(AgentProtocolException.class);
    agent.verify();
  }

  @Test
  void capabilitiesAreCachedAndRefreshedWhenTheVersionChanges() throws Exception {
    GuestAgent ga = start(null);
    String v1 =
        "{\"return\": {\"version\": \"7.2.0\", \"supported_commands\": ["
            + "{\"name\": \"guest-ping\", \"enabled\": true, \"success-response\": true},"
            + "{\"name\": \"guest-fstrim\", \"enabled\": false, \"success-response\": true}]}}";
    String v2 =
        "{\"return\": {\"version\": \"9.0.0\", \"supported_commands\": ["
            + "{\"name\": \"guest-ping\", \"enabled\": true, \"success-response\": true},"
            + "{\"name\": \"guest-fstrim\", \"enabled\": true, \"success-response\": true}]}}";
    agent.expect("guest-info", v1);
    Capabilities c = ga.capabilities();
    assertThat(c.version()).isEqualTo("7.2.0");
    assertThat(c.supports("guest-ping")).isTrue();
    assertThat(c.supports("guest-fstrim")).isFalse();
    assertThat(c.asMap()).containsEntry("guest-fstrim", false);
    assertThat(ga.capabilities()).isSameAs(c);
    assertThat(ga.capabilitiesFor("7.2.0")).isSameAs(c);
    agent.expect("guest-info", v2);
    Capabilities c2 = ga.capabilitiesFor("9.0.0");
    assertThat(c2.version()).isEqualTo("9.0.0");
    assertThat(c2.supports("guest-fstrim")).isTrue();
    assertThat(ga.cachedCapabilities()).isSameAs(c2);
    // a reconnect may meet a restarted agent: fetched again
    session.close();
    agent.expect("guest-ping", "{\"return\": {}}");
    ga.ping();
    agent.expect("guest-info", v1);
    assertThat(ga.capabilities().version()).isEqualTo("7.2.0");
    agent.verify();
  }

  @Test
  void argumentsOnTheWire() throws Exception {
    GuestAgent ga = start(null);
    agent.expect(
        "guest-fstrim",
        "{\"return\": {\"paths\": [{\"path\": \"/\", \"trimmed\": 4096, \"minimum\": 0}]}}");
    agent.expect("guest-set-time", "{\"return\": {}}");
    agent.expect("guest-fsfreeze-freeze-list", "{\"return\": 2}");
    assertThat(ga.fstrim(OptionalLong.of(65536)).paths().get(0).trimmed()).isEqualTo(4096);
    ga.setTime(OptionalLong.of(1_700_000_000_000_000_000L));
    assertThat(ga.fsfreezeFreezeList(List.of("/", "/var"))).isEqualTo(2);
    assertThat(agent.requests().get(0).path("arguments").path("minimum").asLong()).isEqualTo(65536);
    assertThat(agent.requests().get(1).path("arguments").path("time").asLong())
        .isEqualTo(1_700_000_000_000_000_000L);
    assertThat(agent.requests().get(2).path("arguments").path("mountpoints").size()).isEqualTo(2);
    assertThat(agent.requests()).allSatisfy(r -> assertThat(r.has("id")).isFalse());
    agent.verify();
  }

  @Test
  void fileReadsAndWritesAreCheckedAgainstWhatWasAsked() throws Exception {
    GuestAgent ga = start(null);
    agent.expect(
        "guest-file-read", "{\"return\": {\"count\": 3, \"buf-b64\": \"YWJj\", \"eof\": true}}");
    FileChunk ok = ga.readChunk(7, 4);
    assertThat(ok.data()).containsExactly('a', 'b', 'c');
    assertThat(ok.eof()).isTrue();
    // more bytes than asked for, a count that lies, text that is not base64
    agent.expect(
        "guest-file-read",
        "{\"return\": {\"count\": 6, \"buf-b64\": \"YWJjZGVm\", \"eof\": false}}");
    assertThatThrownBy(() -> ga.readChunk(7, 4))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("at most 4");
    agent.expect(
        "guest-file-read", "{\"return\": {\"count\": 1, \"buf-b64\": \"YWJj\", \"eof\": false}}");
    assertThatThrownBy(() -> ga.readChunk(7, 4))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("count 1 for 3 bytes");
    agent.expect(
        "guest-file-read", "{\"return\": {\"count\": 3, \"buf-b64\": \"!!!!\", \"eof\": false}}");
    assertThatThrownBy(() -> ga.readChunk(7, 4))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("not base64");
    agent.expect("guest-file-write", "{\"return\": {\"count\": 3, \"eof\": false}}");
    assertThat(ga.fileWrite(7, new byte[] {1, 2, 3})).isEqualTo(3);
    agent.expect("guest-file-write", "{\"return\": {\"count\": 4, \"eof\": false}}");
    assertThatThrownBy(() -> ga.fileWrite(7, new byte[] {1, 2, 3}))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("count 4 for 3 bytes sent");
    assertThat(
            agent
                .requests()
                .get(agent.requests().size() - 1)
                .path("arguments")
                .path("buf-b64")
                .asText())
        .isEqualTo("AQID");
  }
}
