package io.qga.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedFleetTest {
  @TempDir Path dir;

  @Test
  void fleetOf200StartsAnswersAndStopsCleanly() throws Exception {
    SimulatedFleet fleet =
        SimulatedFleet.builder(dir)
            .domains(200)
            .prefix("fleet-")
            .hangPercent(10)
            .slowPercent(10)
            .slowDelay(Duration.ofSeconds(2))
            .hostile(HostileMode.ACCEPT_CLOSE, 2)
            .seed(7)
            .start();
    try {
      assertThat(fleet.size()).isEqualTo(200);
      assertThat(fleet.domains()).startsWith("fleet-001", "fleet-002").endsWith("fleet-200");
      assertThat(socketFiles()).hasSize(200);
      Map<HostileMode, Long> modes =
          fleet.agents().values().stream()
              .filter(a -> a.guest().hostile() != null)
              .collect(Collectors.groupingBy(a -> a.guest().hostile(), Collectors.counting()));
      assertThat(modes)
          .containsEntry(HostileMode.NEVER_ANSWERS, 20L)
          .containsEntry(HostileMode.ANSWER_AFTER, 20L)
          .containsEntry(HostileMode.ACCEPT_CLOSE, 2L);
      int pinged = 0;
      for (SimulatedAgent agent : fleet.agents().values()) {
        if (agent.guest().hostile() == null && pinged < 20) {
          try (RawClient c = RawClient.connect(agent.socket())) {
            c.sync();
            assertThat(c.returnOf("guest-info").get("version").asText())
                .isEqualTo(agent.guest().flavour().version());
          }
          pinged++;
        }
      }
      assertThat(pinged).isEqualTo(20);
      assertThat(fleet.agent("fleet-100").socket()).isEqualTo(dir.resolve("fleet-100.sock"));
      assertThatThrownBy(() -> fleet.agent("vm-999")).hasMessageContaining("vm-999");
    } finally {
      fleet.close();
    }
    assertThat(socketFiles()).isEmpty();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (fleetThreads() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(fleetThreads()).as("agent threads left running").isZero();
  }

  @Test
  void theSameSeedGivesTheSameFleet() throws IOException {
    String first;
    String second;
    String other;
    try (SimulatedFleet a = mixed(dir.resolve("a"), 1)) {
      first = describe(a);
    }
    try (SimulatedFleet b = mixed(dir.resolve("b"), 1)) {
      second = describe(b);
    }
    try (SimulatedFleet c = mixed(dir.resolve("c"), 2)) {
      other = describe(c);
    }
    assertThat(second).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void defaultMixHasEveryFlavourAndFlavoursCanBeFixed() throws IOException {
    try (SimulatedFleet fleet = SimulatedFleet.builder(dir).domains(10).start()) {
      assertThat(fleet.agents().values().stream().map(a -> a.guest().flavour()).distinct())
          .containsExactlyInAnyOrder(Flavour.values());
    }
    try (SimulatedFleet fleet =
        SimulatedFleet.builder(dir).domains(3).flavours(Flavour.WINDOWS).start()) {
      assertThat(fleet.agents().values()).allMatch(a -> a.guest().flavour() == Flavour.WINDOWS);
      assertThat(fleet.domains()).containsExactly("vm-001", "vm-002", "vm-003");
    }
  }

  @Test
  void allChannelsVanishAndComeBackAtOnce() throws IOException {
    try (SimulatedFleet fleet = SimulatedFleet.builder(dir).domains(50).start()) {
      fleet.removeChannels();
      assertThat(socketFiles()).isEmpty();
      assertThat(fleet.agents().values()).noneMatch(SimulatedAgent::listening);
      fleet.restoreChannels();
      assertThat(socketFiles()).hasSize(50);
      try (RawClient c = RawClient.connect(fleet.agent("vm-050").socket())) {
        c.sync();
      }
    }
    assertThat(socketFiles()).isEmpty();
  }

  @Test
  void rejectsAMixThatDoesNotFit() {
    assertThatThrownBy(
            () ->
                SimulatedFleet.builder(dir)
                    .domains(10)
                    .hangPercent(50)
                    .hostile(HostileMode.TRICKLE, 6)
                    .start())
        .hasMessage("5 hung + 0 slow + 6 hostile agents do not fit in 10 domains");
    assertThatThrownBy(() -> SimulatedFleet.builder(dir).hangPercent(101))
        .hasMessage("hang percent must be 0..100, got 101");
  }

  private static SimulatedFleet mixed(Path dir, long seed) throws IOException {
    return SimulatedFleet.builder(dir)
        .domains(30)
        .hangPercent(10)
        .slowPercent(10)
        .hostile(HostileMode.BAD_NUMBERS, 3)
        .seed(seed)
        .start();
  }

  private static String describe(SimulatedFleet fleet) throws IOException {
    StringBuilder s = new StringBuilder();
    for (SimulatedAgent agent : fleet.agents().values()) {
      s.append(agent.domain()).append(' ').append(agent.guest().hostile()).append(' ');
      if (agent.guest().hostile() == null) {
        try (RawClient c = RawClient.connect(agent.socket())) {
          s.append(c.returnOf("guest-network-get-interfaces").get(1).get("hardware-address"));
        }
      }
      s.append('\n');
    }
    return s.toString();
  }

  private java.util.List<Path> socketFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".sock")).toList();
    }
  }

  private static long fleetThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("agent-server fleet-"))
        .count();
  }
}
