package io.qga.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each attack of a hostile agent does what it claims, read by a client that bounds its reads. */
class HostileModeTest {
  private static final int MIB = 1024 * 1024;

  @TempDir Path dir;
  private final List<SimulatedAgent> agents = new ArrayList<>();

  @AfterEach
  void stopAgents() {
    agents.forEach(SimulatedAgent::close);
  }

  private SimulatedAgent start(HostileMode mode) throws IOException {
    return start(SimulatedGuest.builder("vm-" + mode.cliName()).hostile(mode));
  }

  private SimulatedAgent start(SimulatedGuest.Builder guest) throws IOException {
    SimulatedGuest built = guest.build();
    SimulatedAgent agent = SimulatedAgent.start(dir.resolve(built.domain() + ".sock"), built);
    agents.add(agent);
    return agent;
  }

  @Test
  void reply9MibIsValidJsonOfExactlyThatSize() throws IOException {
    SimulatedAgent agent = start(HostileMode.REPLY_9MIB);
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.sync();
      c.send("{\"execute\": \"guest-network-get-interfaces\"}");
      byte[] line = c.readLine(10 * MIB);
      assertThat(line).hasSize(9 * MIB);
      JsonNode reply = RawClient.JSON.readTree(line);
      assertThat(reply.get("return").size()).isGreaterThan(10_000);
      assertThat(c.returnOf("guest-ping").size()).as("still in step after the big reply").isZero();
    }
  }

  @Test
  void reply50MibIsStreamedToTheEnd() throws IOException {
    SimulatedAgent agent = start(HostileMode.REPLY_50MIB);
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.sync();
      c.send("{\"execute\": \"guest-get-fsinfo\"}");
      assertThat(c.skipLine(60L * MIB)).isEqualTo(50L * MIB);
      assertThat(c.lastBytes()).endsWith("  ]}\n");
    }
  }

  @Test
  void hundredThousandInterfaces() throws IOException {
    SimulatedAgent agent = start(HostileMode.INTERFACES_100K);
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.sync();
      c.send("{\"execute\": \"guest-network-get-interfaces\"}");
      byte[] line = c.readLine(64 * MIB);
      assertThat(count(line, "\"name\": \"eth")).isEqualTo(100_000);
      assertThat(c.returnOf("guest-get-host-name").get("host-name").asText())
          .as("other commands are left alone")
          .isEqualTo("vm-interfaces-100k");
    }
  }

  @Test
  void tenThousandFilesystems() throws IOException {
    SimulatedAgent agent = start(HostileMode.FILESYSTEMS_10K);
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.sync();
      c.send("{\"execute\": \"guest-get-fsinfo\"}");
      JsonNode reply = RawClient.JSON.readTree(c.readLine(16 * MIB));
      assertThat(reply.get("return").size()).isEqualTo(10_000);
      assertThat(reply.get("return").get(9_999).get("mountpoint").asText())
          .isEqualTo("/mnt/fs9999");
    }
  }

  @Test
  void labelsOfOneMib() throws IOException {
    SimulatedAgent agent = start(HostileMode.LABEL_1MB);
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.sync();
      c.send("{\"execute\": \"guest-get-host-name\"}");
      JsonNode reply = RawClient.JSON.readTree(c.readLine(2 * MIB));
      assertThat(reply.get("return").get("host-name").asText()).hasSize(MIB);
      c.send("{\"execute\": \"guest-network-get-interfaces\"}");
      JsonNode nics = RawClient.JSON.readTree(c.readLine(8 * MIB)).get("return");
      assertThat(nics.get(0).get("name").asText()).hasSize(MIB);
    }
  }

  @Test
  void nastyLabelsAreValidJsonWithNewlinesQuotesAndNul() throws IOException {
    SimulatedAgent agent = start(HostileMode.LABEL_NASTY);
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.sync();
      JsonNode os = c.returnOf("guest-get-osinfo");
      List<String> values = new ArrayList<>();
      os.elements().forEachRemaining(v -> values.add(v.asText()));
      assertThat(values).anyMatch(v -> v.contains("\n# HELP"));
      assertThat(values).anyMatch(v -> v.contains("\""));
      assertThat(values).anyMatch(v -> v.contains("\u0000"));
      assertThat(values).anyMatch(v -> v.contains("\ud800"));
      assertThat(values).anyMatch(String::isEmpty);
      JsonNode fs = c.returnOf("guest-get-fsinfo");
      assertThat(fs.get(0).get("mountpoint").asText()).contains("\"");
    }
  }

  @Test
  void invalidUtf8IsRawBytesThatStrictParsersReject() throws IOException {
    SimulatedAgent agent = start(HostileMode.INVALID_UTF8);
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.sync();
      c.send("{\"execute\": \"guest-get-host-name\"}");
      byte[] line = c.readLine(1000);
      assertThat(new String(line, StandardCharsets.ISO_8859_1))
          .isEqualTo("{\"return\": {\"host-name\": \"bad\u00c3(\"}}\n");
      for (byte b : line) {
        assertThat(b & 0xFF).isNotEqualTo(0xFF);
      }
      c.send("{\"execute\": \"guest-get-users\"}");
      byte[] users = c.readLine(1000);
      assertThatThrownBy(() -> RawClient.JSON.readTree(users))
          .isInstanceOf(JsonParseException.class);
    }
  }

  @Test
  void nestingOneHundredThousandDeep() throws IOException {
    SimulatedAgent agent = start(HostileMode.DEEP_NESTING);
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.sync();
      c.send("{\"execute\": \"guest-get-vcpus\"}");
      byte[] line = c.readLine(MIB);
      assertThat(count(line, "[")).isEqualTo(100_000);
      assertThat(count(line, "]")).isEqualTo(100_000);
      assertThat(new String(line, 0, 13, StandardCharsets.US_ASCII)).isEqualTo("{\"return\": [[");
    }
  }

  @Test
  void numbersOutOfEveryRange() throws IOException {
    SimulatedAgent agent = start(HostileMode.BAD_NUMBERS);
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.sync();
      c.send("{\"execute\": \"guest-network-get-interfaces\"}");
      String nics = c.readLine();
      assertThat(nics)
          .contains("\"rx-bytes\": 1e400", "\"rx-packets\": -1", "18446744073709551616");
      c.send("{\"execute\": \"guest-get-time\"}");
      assertThat(c.readLine()).isEqualTo("{\"return\": 1e400}\n");
      c.send("{\"execute\": \"guest-get-fsinfo\"}");
      assertThat(c.readLine()).contains("\"used-bytes\": -1");
    }
  }

  @Test
  void trickleWritesOneBytePerInterval() throws IOException {
    SimulatedAgent agent =
        start(
            SimulatedGuest.builder("vm-trickle")
                .hostile(HostileMode.TRICKLE)
                .trickleInterval(Duration.ofMillis(200)));
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.sync();
      c.send("{\"execute\": \"guest-get-time\"}");
      byte[] got = c.readAvailable(Duration.ofMillis(900), 100);
      assertThat(got.length).isBetween(2, 7);
      assertThat(new String(got, StandardCharsets.US_ASCII))
          .isEqualTo("{\"return\": ".substring(0, got.length));
    }
  }

  @Test
  void trickleDefaultsToOneBytePerSecond() throws IOException {
    SimulatedAgent agent = start(HostileMode.TRICKLE);
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.sync();
      c.send("{\"execute\": \"guest-get-host-name\"}");
      assertThat(c.readAvailable(Duration.ofMillis(1500), 100).length).isBetween(1, 2);
    }
  }

  @Test
  void endlessSentinelsEvenForSync() throws IOException {
    SimulatedAgent agent = start(HostileMode.ENDLESS_FF);
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.send("{\"execute\": \"guest-sync-delimited\", \"arguments\": {\"id\": 1}}");
      byte[] got = c.readExactly(2 * MIB);
      assertThat(got).hasSize(2 * MIB);
      for (byte b : got) {
        assertThat(b & 0xFF).isEqualTo(0xFF);
      }
    }
    // the flood stops when the client leaves: the agent serves the next client
    agent.guest().setHostile(null);
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.sync();
    }
  }

  @Test
  void noReplyEverEndsWithANewline() throws IOException {
    SimulatedAgent agent = start(HostileMode.NO_NEWLINE);
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.send("{\"execute\": \"guest-sync-delimited\", \"arguments\": {\"id\": 3}}");
      c.send("{\"execute\": \"guest-ping\"}");
      byte[] got = c.readAvailable(Duration.ofMillis(500), 1000);
      assertThat(new String(got, StandardCharsets.ISO_8859_1))
          .isEqualTo("\u00ff{\"return\": 3}{\"return\": {}}");
    }
  }

  @Test
  void syncAlwaysAnswersAnotherId() throws IOException {
    SimulatedAgent agent = start(HostileMode.WRONG_SYNC_ID);
    try (RawClient c = RawClient.connect(agent.socket())) {
      for (int i = 0; i < 3; i++) {
        assertThat(
                c.call(
                        "{\"execute\": \"guest-sync\", \"arguments\": {\"id\":"
                            + " 9223372036854775807}}")
                    .get("return")
                    .asText())
            .isEqualTo("9223372036854775808");
      }
      assertThatThrownBy(c::sync).hasMessageContaining("sync answered");
      assertThat(c.returnOf("guest-ping").size()).isZero();
    }
  }

  @Test
  void acceptsAndClosesAtOnceEveryTime() throws IOException {
    SimulatedAgent agent = start(HostileMode.ACCEPT_CLOSE);
    for (int i = 0; i < 5; i++) {
      try (RawClient c = RawClient.connect(agent.socket())) {
        c.send("{\"execute\": \"guest-ping\"}");
        assertThat(c.read()).isEqualTo(-1);
      } catch (IOException e) {
        // the agent may close before the request is written: also "closed at once"
        assertThat(e.getMessage()).containsAnyOf("pipe", "reset");
      }
    }
    assertThat(agent.connectionsAccepted()).isEqualTo(5);
  }

  @Test
  void neverAnswersAnything() throws IOException {
    SimulatedAgent agent = start(HostileMode.NEVER_ANSWERS);
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.sendSentinel();
      c.send("{\"execute\": \"guest-sync-delimited\", \"arguments\": {\"id\": 3}}");
      c.send("{\"execute\": \"guest-ping\"}");
      assertThat(c.readAvailable(Duration.ofMillis(500), 100)).isEmpty();
    }
    assertThat(agent.guest().commandCount("guest-ping")).isEqualTo(1);
  }

  @Test
  void answersAfterTheSlowDown() throws IOException {
    SimulatedAgent agent =
        start(
            SimulatedGuest.builder("vm-slow")
                .hostile(HostileMode.ANSWER_AFTER)
                .slowDown(Duration.ofMillis(700)));
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.send("{\"execute\": \"guest-ping\"}");
      assertThat(c.readAvailable(Duration.ofMillis(400), 100)).isEmpty();
      assertThat(c.readLine()).isEqualTo("{\"return\": {}}\n");
    }
    assertThat(SimulatedGuest.builder("x").hostile(HostileMode.ANSWER_AFTER).build().slowDown())
        .isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void closingTheServerStopsAnAttackInProgress() throws IOException {
    SimulatedAgent agent =
        start(
            SimulatedGuest.builder("vm-t2")
                .hostile(HostileMode.TRICKLE)
                .trickleInterval(Duration.ofSeconds(30)));
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.send("{\"execute\": \"guest-get-time\"}");
      assertThat(c.read()).isEqualTo('{');
      long t0 = System.nanoTime();
      agent.close();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
      SimulatedGuestTest.assertClosedByPeer(c);
    }
  }

  @Test
  void everyModeHasACommandLineName() {
    for (HostileMode mode : HostileMode.values()) {
      assertThat(HostileMode.parse(mode.cliName())).isEqualTo(mode);
    }
    assertThatThrownBy(() -> HostileMode.parse("nice"))
        .hasMessageStartingWith(
            "unknown hostile mode \"nice\" (use one of reply-9mib, reply-50mib");
  }

  private static int count(byte[] haystack, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
    int found = 0;
    outer:
    for (int i = 0; i + n.length <= haystack.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (haystack[i + j] != n[j]) {
          continue outer;
        }
      }
      found++;
    }
    return found;
  }
}
