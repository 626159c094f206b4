package io.qga.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedGuestTest {
  private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");

  @TempDir Path dir;
  private final List<SimulatedAgent> agents = new ArrayList<>();
  private final MutableClock clock = new MutableClock(START);

  @AfterEach
  void stopAgents() {
    agents.forEach(SimulatedAgent::close);
  }

  private SimulatedAgent start(SimulatedGuest.Builder guest) throws IOException {
    SimulatedGuest built = guest.build();
    SimulatedAgent agent = SimulatedAgent.start(dir.resolve(built.domain() + ".sock"), built);
    agents.add(agent);
    return agent;
  }

  private SimulatedAgent start(Flavour flavour) throws IOException {
    return start(SimulatedGuest.builder("vm-" + flavour.cliName()).flavour(flavour).clock(clock));
  }

  /** EOF, or a reset when the agent closed with our request unread; never a reply. */
  static void assertClosedByPeer(RawClient c) {
    try {
      assertThat(c.read()).as("no reply, end of stream").isEqualTo(-1);
    } catch (IOException e) {
      assertThat(e.getMessage()).contains("reset");
    }
  }

  private static String error(JsonNode reply) {
    return reply.path("error").path("class").asText()
        + ": "
        + reply.path("error").path("desc").asText();
  }

  @Test
  void sentinelIsAnsweredWithParseErrorAndSyncDelimitedStartsWithFf() throws IOException {
    SimulatedAgent agent = start(Flavour.LINUX_9_2);
    try (RawClient client = RawClient.connect(agent.socket())) {
      client.sendSentinel();
      assertThat(client.readLine())
          .isEqualTo(
              "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, stray"
                  + " '\\\\uFFFD'\"}}\n");
      client.send("{\"execute\": \"guest-sync-delimited\", \"arguments\": {\"id\": 7316912386}}");
      byte[] line = client.readLine(100);
      assertThat(line[0] & 0xFF).isEqualTo(0xFF);
      assertThat(new String(line, 1, line.length - 1, StandardCharsets.US_ASCII))
          .isEqualTo("{\"return\": 7316912386}\n");
      assertThat(
              client.call("{\"execute\": \"guest-sync\", \"arguments\": {\"id\": 12}}").toString())
          .isEqualTo("{\"return\":12}");
      client.sync();
    }
  }

  @Test
  void everyReadCommandAnswersItsDocumentedShape() throws IOException {
    SimulatedAgent agent = start(Flavour.LINUX_10_0);
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.sync();
      assertThat(c.returnOf("guest-ping").size()).isZero();
      JsonNode info = c.returnOf("guest-info");
      assertThat(info.get("version").asText()).isEqualTo("10.0.0");
      for (JsonNode command : info.get("supported_commands")) {
        assertThat(command.has("name") && command.has("enabled") && command.has("success-response"))
            .as(command.toString())
            .isTrue();
      }
      assertThat(c.returnOf("guest-get-time").isIntegralNumber()).isTrue();

      JsonNode nics = c.returnOf("guest-network-get-interfaces");
      assertThat(nics.get(0).get("name").asText()).isEqualTo("lo");
      JsonNode eth0 = nics.get(1);
      assertThat(eth0.get("hardware-address").asText()).matches("52:54:00(:[0-9a-f]{2}){3}");
      assertThat(eth0.get("ip-addresses").get(0).fieldNames())
          .toIterable()
          .containsExactly("ip-address-type", "ip-address", "prefix");
      assertThat(eth0.get("statistics").fieldNames())
          .toIterable()
          .containsExactlyInAnyOrder(
              "rx-bytes",
              "rx-packets",
              "rx-errs",
              "rx-dropped",
              "tx-bytes",
              "tx-packets",
              "tx-errs",
              "tx-dropped");

      JsonNode root = c.returnOf("guest-get-fsinfo").get(0);
      assertThat(root.get("mountpoint").asText()).isEqualTo("/");
      assertThat(root.get("used-bytes").asLong())
          .isPositive()
          .isLessThan(root.get("total-bytes").asLong());
      assertThat(root.get("total-bytes-privileged").asLong())
          .isGreaterThan(root.get("total-bytes").asLong());
      assertThat(root.get("disk").get(0).get("pci-controller").has("slot")).isTrue();

      JsonNode users = c.returnOf("guest-get-users");
      assertThat(users.get(0).get("user").asText()).isEqualTo("root");
      assertThat(users.get(0).get("login-time").isFloatingPointNumber()).isTrue();

      JsonNode blocks = c.returnOf("guest-get-memory-blocks");
      assertThat(blocks.size()).isIn(16, 32, 64);
      assertThat(blocks.get(0).fieldNames())
          .toIterable()
          .contains("phys-index", "online", "can-offline");
      assertThat(c.returnOf("guest-get-memory-block-info").get("size").asLong())
          .isEqualTo(134217728L);
      assertThat(c.returnOf("guest-get-vcpus").get(0).fieldNames())
          .toIterable()
          .contains("logical-id", "online", "can-offline");
      JsonNode os = c.returnOf("guest-get-osinfo");
      assertThat(os.get("id").asText()).isEqualTo("fedora");
      assertThat(os.has("kernel-release") && os.has("machine") && os.has("pretty-name")).isTrue();
      assertThat(c.returnOf("guest-get-host-name").get("host-name").asText())
          .isEqualTo("vm-linux-10.0");
      JsonNode tz = c.returnOf("guest-get-timezone");
      assertThat(tz.has("zone") && tz.get("offset").isInt()).isTrue();
      JsonNode disks = c.returnOf("guest-get-disks");
      assertThat(disks.get(0).has("partition")).isTrue();
      JsonNode diskstats = c.returnOf("guest-get-diskstats").get(0);
      assertThat(diskstats.get("stats").has("read-sectors") && diskstats.has("major")).isTrue();
      JsonNode cpu = c.returnOf("guest-get-cpustats").get(0);
      assertThat(cpu.get("type").asText()).isEqualTo("linux");
      assertThat(cpu.has("user") && cpu.has("idle") && cpu.has("steal")).isTrue();
      JsonNode load = c.returnOf("guest-get-load");
      assertThat(load.fieldNames()).toIterable().containsExactly("load1m", "load5m", "load15m");
      assertThat(c.returnOf("guest-fsfreeze-status").asText()).isEqualTo("thawed");
    }
  }

  @Test
  void repliesAreOneAsciiLineSpacedLikeQemu() throws IOException {
    SimulatedAgent agent = start(SimulatedGuest.builder("caf\u00e9-vm").clock(clock));
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.send("{\"execute\": \"guest-get-host-name\"}");
      byte[] line = c.readLine(1000);
      assertThat(new String(line, StandardCharsets.US_ASCII))
          .isEqualTo("{\"return\": {\"host-name\": \"caf\\u00E9-vm\"}}\n");
    }
  }

  @Test
  void agent72HasNoLoadAndNoPrivilegedBytes() throws IOException {
    SimulatedAgent agent = start(Flavour.LINUX_7_2);
    try (RawClient c = RawClient.connect(agent.socket())) {
      assertThat(error(c.call("{\"execute\": \"guest-get-load\"}")))
          .isEqualTo("CommandNotFound: The command guest-get-load has not been found");
      assertThat(c.returnOf("guest-get-fsinfo").get(0).has("total-bytes-privileged")).isFalse();
      assertThat(c.returnOf("guest-info").get("version").asText()).isEqualTo("7.2.22");
      assertThat(c.returnOf("guest-get-osinfo").get("id").asText()).isEqualTo("debian");
    }
  }

  @Test
  void agent25HasNoStatisticsNoUsedBytesAndNoUsers() throws IOException {
    SimulatedAgent agent = start(Flavour.LINUX_2_5);
    try (RawClient c = RawClient.connect(agent.socket())) {
      for (JsonNode nic : c.returnOf("guest-network-get-interfaces")) {
        assertThat(nic.has("statistics")).isFalse();
      }
      JsonNode root = c.returnOf("guest-get-fsinfo").get(0);
      assertThat(root.has("used-bytes") || root.has("total-bytes")).isFalse();
      assertThat(error(c.call("{\"execute\": \"guest-get-users\"}")))
          .isEqualTo("CommandNotFound: The command guest-get-users has not been found");
      assertThat(
              error(
                  c.call("{\"execute\": \"guest-exec\", \"arguments\": {\"path\": \"/bin/sh\"}}")))
          .isEqualTo("GenericError: The command guest-exec has been disabled for this instance");
      c.send("{\"execute\": \"guest-ping\", \"id\": 1}");
      assertThat(error(RawClient.JSON.readTree(c.readLine())))
          .isEqualTo("GenericError: QMP input member 'id' is unexpected");
    }
  }

  @Test
  void windowsHasItsOwnShapes() throws IOException {
    SimulatedAgent agent = start(Flavour.WINDOWS);
    try (RawClient c = RawClient.connect(agent.socket())) {
      JsonNode fs = c.returnOf("guest-get-fsinfo");
      assertThat(fs.get(0).get("name").asText()).startsWith("\\\\?\\Volume{");
      assertThat(fs.get(0).get("mountpoint").asText()).isEqualTo("C:\\");
      assertThat(fs.get(1).get("mountpoint").asText()).isEqualTo("System Reserved");
      assertThat(fs.get(1).has("used-bytes")).isFalse();
      assertThat(c.returnOf("guest-get-users").get(0).has("domain")).isTrue();
      assertThat(c.returnOf("guest-network-get-interfaces").get(0).get("name").asText())
          .isEqualTo("Ethernet");
      for (String linuxOnly :
          List.of("guest-get-memory-blocks", "guest-get-cpustats", "guest-get-diskstats")) {
        assertThat(error(c.call("{\"execute\": \"" + linuxOnly + "\"}")))
            .isEqualTo("CommandNotFound: The command " + linuxOnly + " has not been found");
      }
      JsonNode paths = c.returnOf("guest-fstrim").get("paths");
      assertThat(paths.get(0).fieldNames()).toIterable().containsExactly("path");
      assertThat(c.returnOf("guest-get-osinfo").get("id").asText()).isEqualTo("mswindows");
    }
  }

  @Test
  void windowsFreezeLapsesAfterTenSeconds() throws IOException {
    SimulatedAgent agent = start(Flavour.WINDOWS);
    try (RawClient c = RawClient.connect(agent.socket())) {
      assertThat(c.returnOf("guest-fsfreeze-freeze").asInt()).isEqualTo(1);
      clock.advance(Duration.ofSeconds(9));
      assertThat(c.returnOf("guest-fsfreeze-status").asText()).isEqualTo("frozen");
      clock.advance(Duration.ofSeconds(1));
      assertThat(c.returnOf("guest-fsfreeze-status").asText()).isEqualTo("thawed");
    }
  }

  @Test
  void errorsAreWordedLikeQemuGa() throws IOException {
    SimulatedAgent agent = start(Flavour.LINUX_9_2);
    try (RawClient c = RawClient.connect(agent.socket())) {
      assertThat(error(c.call("{\"execute\": \"guest-frobnicate\"}")))
          .isEqualTo("CommandNotFound: The command guest-frobnicate has not been found");
      assertThat(
              error(
                  c.call("{\"execute\": \"guest-exec\", \"arguments\": {\"path\": \"/bin/sh\"}}")))
          .isEqualTo("CommandNotFound: Command guest-exec has been disabled");
      assertThat(error(c.call("{\"execute\": \"guest-sync\"}")))
          .isEqualTo("GenericError: Parameter 'id' is missing");
      assertThat(error(c.call("{\"execute\": \"guest-get-time\", \"arguments\": {\"x\": 1}}")))
          .isEqualTo("GenericError: Parameter 'x' is unexpected");
      assertThat(error(c.call("{\"foo\": 1}")))
          .isEqualTo("GenericError: QMP input member 'foo' is unexpected");
      assertThat(
              error(
                  c.call("{\"execute\": \"guest-set-time\", \"arguments\": {\"time\": \"soon\"}}")))
          .isEqualTo("GenericError: Invalid parameter type for 'time', expected: integer");
      assertThat(c.call("{\"execute\": \"guest-ping\", \"id\": \"abc\"}").toString())
          .isEqualTo("{\"return\":{},\"id\":\"abc\"}");
    }
  }

  @Test
  void countersGrowAndFilesystemsFillAsTimePasses() throws IOException {
    SimulatedAgent agent = start(Flavour.LINUX_9_2);
    try (RawClient c = RawClient.connect(agent.socket())) {
      JsonNode before = c.returnOf("guest-network-get-interfaces").get(1).get("statistics");
      long usedBefore = c.returnOf("guest-get-fsinfo").get(0).get("used-bytes").asLong();
      clock.advance(Duration.ofMinutes(5));
      JsonNode after = c.returnOf("guest-network-get-interfaces").get(1).get("statistics");
      long usedAfter = c.returnOf("guest-get-fsinfo").get(0).get("used-bytes").asLong();
      assertThat(after.get("rx-bytes").asLong()).isGreaterThan(before.get("rx-bytes").asLong());
      assertThat(after.get("tx-packets").asLong()).isGreaterThan(before.get("tx-packets").asLong());
      assertThat(usedAfter).isNotEqualTo(usedBefore);
    }
  }

  @Test
  void sameSeedSameAnswersOtherSeedOtherGuest() throws IOException {
    List<JsonNode> replies = new ArrayList<>();
    for (long seed : new long[] {42, 42, 43}) {
      SimulatedGuest guest = SimulatedGuest.builder("vm-a").seed(seed).clock(clock).build();
      try (SimulatedAgent agent = SimulatedAgent.start(dir.resolve("seed.sock"), guest);
          RawClient c = RawClient.connect(agent.socket())) {
        replies.add(c.returnOf("guest-network-get-interfaces"));
      }
    }
    assertThat(replies.get(1)).isEqualTo(replies.get(0));
    assertThat(replies.get(2)).isNotEqualTo(replies.get(0));
  }

  @Test
  void freezeDisablesAllButTheAllowListUntilThaw() throws IOException {
    SimulatedAgent agent = start(Flavour.LINUX_9_2);
    SimulatedGuest guest = agent.guest();
    try (RawClient c = RawClient.connect(agent.socket())) {
      int frozen = c.returnOf("guest-fsfreeze-freeze").asInt();
      assertThat(frozen).isPositive();
      assertThat(guest.frozen()).isTrue();
      assertThat(c.returnOf("guest-fsfreeze-status").asText()).isEqualTo("frozen");
      for (String blocked :
          List.of(
              "guest-get-fsinfo",
              "guest-network-get-interfaces",
              "guest-fsfreeze-freeze",
              "guest-get-time",
              "guest-fstrim")) {
        assertThat(error(c.call("{\"execute\": \"" + blocked + "\"}")))
            .isEqualTo(
                "CommandNotFound: Command "
                    + blocked
                    + " has been disabled: the agent is in frozen state");
      }
      c.sync();
      assertThat(c.returnOf("guest-ping").size()).isZero();
      for (JsonNode command : c.returnOf("guest-info").get("supported_commands")) {
        if (command.get("name").asText().equals("guest-get-fsinfo")) {
          assertThat(command.get("enabled").asBoolean()).isFalse();
        }
      }
      assertThat(c.returnOf("guest-fsfreeze-thaw").asInt()).isEqualTo(frozen);
      assertThat(c.returnOf("guest-get-fsinfo").size()).isPositive();
      assertThat(c.returnOf("guest-fsfreeze-thaw").asInt()).isZero();
      assertThat(
              c.call(
                      "{\"execute\": \"guest-fsfreeze-freeze-list\", \"arguments\":"
                          + " {\"mountpoints\": [\"/\", \"/nowhere\"]}}")
                  .get("return")
                  .asInt())
          .isEqualTo(1);
    }
  }

  @Test
  void freezeSurvivesAgentRestartButNotAPowerCycle() throws IOException {
    SimulatedAgent agent = start(Flavour.LINUX_9_2);
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.returnOf("guest-fsfreeze-freeze");
    }
    agent.migrate();
    try (RawClient c = RawClient.connect(agent.socket())) {
      assertThat(c.returnOf("guest-fsfreeze-status").asText()).isEqualTo("frozen");
    }
    agent.powerOn();
    try (RawClient c = RawClient.connect(agent.socket())) {
      assertThat(c.returnOf("guest-fsfreeze-status").asText()).isEqualTo("thawed");
    }
  }

  @Test
  void setTimeMovesTheGuestClockAndWithoutTimeReadsTheRtc() throws IOException {
    SimulatedAgent agent =
        start(SimulatedGuest.builder("vm-t").clock(clock).rtcOffset(Duration.ofMillis(-1500)));
    SimulatedGuest guest = agent.guest();
    long host = START.getEpochSecond() * 1_000_000_000L;
    try (RawClient c = RawClient.connect(agent.socket())) {
      assertThat(c.returnOf("guest-get-time").asLong()).isEqualTo(host);
      guest.setClockOffset(Duration.ofSeconds(-90));
      assertThat(c.returnOf("guest-get-time").asLong()).isEqualTo(host - 90_000_000_000L);
      long target = host + 3_600_000_000_000L;
      assertThat(
              c.call("{\"execute\": \"guest-set-time\", \"arguments\": {\"time\": " + target + "}}")
                  .get("return")
                  .size())
          .isZero();
      assertThat(c.returnOf("guest-get-time").asLong()).isEqualTo(target);
      assertThat(guest.lastSetTime().time()).hasValue(target);
      assertThat(guest.clockOffset()).isEqualTo(Duration.ofHours(1));
      c.returnOf("guest-set-time");
      assertThat(guest.lastSetTime().time()).isEmpty();
      assertThat(c.returnOf("guest-get-time").asLong()).isEqualTo(host - 1_500_000_000L);
      assertThat(guest.commandCount("guest-set-time")).isEqualTo(2);
    }
  }

  @Test
  void driftMovesTheGuestClockAway() throws IOException {
    SimulatedAgent agent = start(SimulatedGuest.builder("vm-d").clock(clock).driftPpm(100));
    clock.advance(Duration.ofSeconds(1000));
    assertThat(agent.guest().clockOffset()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void fstrimReportsTrimmedBytesPerMountpointAndConfiguredErrors() throws IOException {
    SimulatedAgent agent = start(Flavour.LINUX_9_2);
    agent.guest().setFstrimError("/boot/efi", "Operation not supported");
    try (RawClient c = RawClient.connect(agent.socket())) {
      JsonNode paths =
          c.call("{\"execute\": \"guest-fstrim\", \"arguments\": {\"minimum\": 0}}")
              .get("return")
              .get("paths");
      assertThat(paths.get(0).get("path").asText()).isEqualTo("/");
      assertThat(paths.get(0).get("trimmed").asLong()).isPositive();
      assertThat(paths.get(0).get("minimum").asLong()).isZero();
      assertThat(paths.get(1).toString())
          .isEqualTo("{\"path\":\"/boot/efi\",\"error\":\"Operation not supported\"}");
    }
  }

  @Test
  void shutdownGivesNoReplyAndTheDomainGoesAwayUntilPoweredOn() throws IOException {
    SimulatedAgent agent = start(Flavour.LINUX_9_2);
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.send("{\"execute\": \"guest-shutdown\"}");
      assertClosedByPeer(c);
    }
    assertThat(agent.guest().lastShutdownMode()).isEqualTo("powerdown");
    assertThat(agent.guest().poweredOn()).isFalse();
    assertThat(Files.exists(agent.socket())).isFalse();
    assertThat(agent.listening()).isFalse();
    agent.powerOn();
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.sync();
      assertThat(c.returnOf("guest-ping").size()).isZero();
    }
  }

  @Test
  void rebootKeepsTheChannelButIsSilentForAWhile() throws IOException {
    SimulatedAgent agent =
        start(SimulatedGuest.builder("vm-r").clock(clock).rebootTime(Duration.ofSeconds(30)));
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.send("{\"execute\": \"guest-shutdown\", \"arguments\": {\"mode\": \"reboot\"}}");
      c.send("{\"execute\": \"guest-ping\"}");
      assertThat(c.readAvailable(Duration.ofMillis(300), 100)).isEmpty();
      clock.advance(Duration.ofSeconds(30));
      c.sync();
      assertThat(
              error(
                  c.call("{\"execute\": \"guest-shutdown\", \"arguments\": {\"mode\": \"nap\"}}")))
          .isEqualTo("GenericError: Parameter 'mode' expects 'halt', 'powerdown' or 'reboot'");
    }
  }

  @Test
  void silentAgentReadsButNeverAnswers() throws IOException {
    SimulatedAgent agent = start(Flavour.LINUX_9_2);
    agent.guest().setResponding(false);
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.sendSentinel();
      c.send("{\"execute\": \"guest-sync-delimited\", \"arguments\": {\"id\": 5}}");
      assertThat(c.readAvailable(Duration.ofMillis(300), 100)).isEmpty();
      agent.guest().setResponding(true);
      c.sync();
    }
    assertThat(agent.guest().commandCount("guest-sync-delimited")).isEqualTo(2);
    assertThat(agent.guest().commandCounts()).containsEntry("<0xff>", 2L);
  }

  @Test
  void slowDownDelaysEveryReplyAndALateReplyGoesToTheNextClient() throws IOException {
    SimulatedAgent agent = start(Flavour.LINUX_9_2);
    agent.guest().setSlowDown(Duration.ofMillis(400));
    try (RawClient c = RawClient.connect(agent.socket())) {
      long t0 = System.nanoTime();
      c.returnOf("guest-ping");
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .isGreaterThanOrEqualTo(Duration.ofMillis(400));
      // a client that gives up before the answer
      c.send("{\"execute\": \"guest-get-host-name\"}");
    }
    try (RawClient next = RawClient.connect(agent.socket())) {
      assertThat(next.readLine()).isEqualTo("{\"return\": {\"host-name\": \"vm-linux-9.2\"}}\n");
      agent.guest().setSlowDown(Duration.ZERO);
      next.sync();
    }
  }

  @Test
  void agentRestartedMidCommandLosesThatReplyOnly() throws IOException {
    SimulatedAgent agent = start(Flavour.LINUX_9_2);
    agent.guest().setSlowDown(Duration.ofMillis(500));
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.send("{\"execute\": \"guest-get-fsinfo\"}");
      // restart while the agent works on the request (the slow-down)
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (agent.guest().commandCount("guest-get-fsinfo") == 0 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      agent.guest().restartAgent();
      assertThat(c.readAvailable(Duration.ofMillis(800), 100)).isEmpty();
      agent.guest().setSlowDown(Duration.ZERO);
      c.sync();
    }
  }

  @Test
  void sshKeysTakeAUsername() throws IOException {
    SimulatedAgent agent = start(Flavour.LINUX_9_2);
    try (RawClient c = RawClient.connect(agent.socket())) {
      assertThat(
              c.call(
                      "{\"execute\": \"guest-ssh-get-authorized-keys\", \"arguments\":"
                          + " {\"username\": \"root\"}}")
                  .toString())
          .isEqualTo("{\"return\":{\"keys\":[]}}");
    }
  }

  @Test
  void migrationRecreatesTheSocketAndKeepsTheGuest() throws IOException {
    SimulatedAgent agent = start(Flavour.LINUX_9_2);
    agent.guest().setClockOffset(Duration.ofSeconds(5));
    RawClient before = RawClient.connect(agent.socket());
    try {
      before.sync(); // accepted and served, not just waiting in the backlog
      agent.removeChannel();
      assertThat(Files.exists(agent.socket())).isFalse();
      assertClosedByPeer(before);
    } finally {
      before.close();
    }
    agent.restoreChannel();
    try (RawClient c = RawClient.connect(agent.socket())) {
      c.sync();
      assertThat(agent.guest().clockOffset()).isEqualTo(Duration.ofSeconds(5));
    }
    assertThat(agent.connectionsAccepted()).isEqualTo(2);
  }
}
