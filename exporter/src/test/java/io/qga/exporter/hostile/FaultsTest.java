package io.qga.exporter.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.sim.SimulatedAgent;
import io.qga.sim.SimulatedFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9's fault suite, against the real daemon in this JVM: an agent restarted in the middle of a
 * command, a channel removed and re-created (migration), the exporter restarted under load with a
 * policy's state, and a thousand domains appearing and vanishing at once.
 */
class FaultsTest {
  private static final Duration FRESH = Duration.ofSeconds(5);

  @TempDir Path dir;
  private Harness harness;

  @BeforeEach
  void setUp() throws Exception {
    harness = new Harness(dir);
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  @Test
  void anAgentRestartedMidCommandIsBackWithinSeconds() throws Exception {
    harness.agent("steady", g -> {});
    // Every reply takes 300 ms, so the restart lands while a command is being worked on.
    SimulatedAgent restarting =
        harness.agent("restarting", g -> g.slowDown(Duration.ofMillis(300)));
    harness.start(harness.config("1s", "1s", "1s", ""));
    Harness.await(
        Duration.ofSeconds(20),
        "restarting fresh",
        () -> Harness.fresh(harness.scrapeQuietly(), "restarting", FRESH));

    long before = restarting.guest().commandCount("guest-sync-delimited");
    restarting.guest().restartAgent(); // the request in progress gets no reply
    double restartedAt = System.currentTimeMillis() / 1000.0;

    Harness.await(
        Duration.ofSeconds(20),
        "a resync and a successful poll after the restart",
        () -> {
          List<Series> s = harness.scrapeQuietly();
          Double network =
              Series.find(
                  s,
                  "qga_collector_last_success_timestamp_seconds",
                  "domain",
                  "restarting",
                  "collector",
                  "network");
          return restarting.guest().commandCount("guest-sync-delimited") > before
              && network != null
              && network > restartedAt
              && Double.valueOf(1).equals(Series.find(s, "qga_up", "domain", "restarting"));
        });
    List<Series> s = harness.scrape();
    assertThat(Harness.fresh(s, "steady", FRESH))
        .as(harness.staleness(s, List.of("steady"), FRESH))
        .isTrue();
  }

  @Test
  void aMigratedChannelIsFollowedAndARemovedOneForgotten() throws Exception {
    harness.agent("steady", g -> {});
    SimulatedAgent moving = harness.agent("moving", g -> {});
    harness.start(harness.config("1s", "1s", "500ms", ""));
    Harness.await(
        Duration.ofSeconds(20),
        "moving fresh",
        () -> Harness.fresh(harness.scrapeQuietly(), "moving", FRESH));

    // Migration: the socket file disappears and a new one appears at the same path.
    int connections = moving.connectionsAccepted();
    moving.migrate();
    double migratedAt = System.currentTimeMillis() / 1000.0;
    Harness.await(
        Duration.ofSeconds(20),
        "a poll over the new socket",
        () -> {
          Double network =
              Series.find(
                  harness.scrapeQuietly(),
                  "qga_collector_last_success_timestamp_seconds",
                  "domain",
                  "moving",
                  "collector",
                  "network");
          return moving.connectionsAccepted() > connections
              && network != null
              && network > migratedAt;
        });

    // The domain stops: its socket is gone for good, and so are its series.
    moving.removeChannel();
    Harness.await(
        Duration.ofSeconds(20),
        "moving forgotten",
        () -> {
          List<Series> s = harness.scrapeQuietly();
          return !s.isEmpty()
              && s.stream().noneMatch(x -> "moving".equals(x.labels().get("domain")));
        });
    // ... and it starts again.
    moving.restoreChannel();
    Harness.await(
        Duration.ofSeconds(20),
        "moving back and fresh",
        () -> Harness.fresh(harness.scrapeQuietly(), "moving", FRESH));
    List<Series> s = harness.scrape();
    assertThat(Harness.fresh(s, "steady", FRESH))
        .as(harness.staleness(s, List.of("steady"), FRESH))
        .isTrue();
  }

  @Test
  void aRestartedExporterKeepsItsPolicyState() throws Exception {
    List<String> load = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      String d = String.format("load-%02d", i);
      harness.agent(d, g -> {});
      load.add(d);
    }
    SimulatedAgent synced = harness.agent("drift-1", g -> {});
    SimulatedAgent later = harness.agent("drift-2", g -> {});
    Path config =
        harness.config(
            "1s",
            "2s",
            "1s",
            "policies:\n"
                + "  - name: clock-drift\n"
                + "    match: {domains: [\"drift-*\"]}\n"
                + "    when: {time_offset_above: 5s}\n"
                + "    action: {time_sync: {source: host}}\n"
                + "    cooldown: 1h\n");
    synced.guest().setClockOffset(Duration.ofSeconds(30));
    harness.start(config);
    Harness.await(
        Duration.ofSeconds(30),
        "drift-1's clock set once",
        () -> synced.guest().commandCount("guest-set-time") == 1);
    assertThat(Files.readString(dir.resolve("state/state.json"))).contains("drift-1");

    // The guest's clock drifts away again, and the exporter restarts while polling 42 domains.
    synced.guest().setClockOffset(Duration.ofSeconds(30));
    harness.daemon.close();
    harness.start(config);
    later.guest().setClockOffset(Duration.ofSeconds(30));

    // drift-2 proves the engine runs and acts after the restart ...
    Harness.await(
        Duration.ofSeconds(30),
        "drift-2's clock set after the restart",
        () -> later.guest().commandCount("guest-set-time") == 1);
    // ... and drift-1, polled with a 30 s offset again, stays in its cooldown.
    Harness.await(
        Duration.ofSeconds(20),
        "drift-1's offset seen after the restart",
        () -> {
          Double offset =
              Series.find(
                  harness.scrapeQuietly(), "qga_guest_time_offset_seconds", "domain", "drift-1");
          return offset != null && offset > 25;
        });
    // Two more polls of drift-1's clock, each a chance for a wrong rerun to start.
    long polls = synced.guest().commandCount("guest-get-time");
    Harness.await(
        Duration.ofSeconds(20),
        "two more polls of drift-1's clock",
        () -> synced.guest().commandCount("guest-get-time") >= polls + 2);
    assertThat(synced.guest().commandCount("guest-set-time")).isEqualTo(1);
    List<Series> s = harness.scrape();
    assertThat(Series.find(s, "qga_action_last_success_timestamp_seconds", "domain", "drift-1"))
        .as("last success from the saved state")
        .isNotNull();
    assertThat(load).allMatch(d -> Harness.fresh(s, d, FRESH));
  }

  @Test
  void aThousandDomainsAppearAndVanishAtOnce() throws Exception {
    try (SimulatedFleet fleet =
        SimulatedFleet.builder(harness.agentsDir).domains(1000).seed(9).start()) {
      harness.start(harness.config("5s", "2s", "1s", ""));
      long[] heapAfterVanishing = new long[2];
      for (int round = 0; round < 2; round++) {
        if (round > 0) {
          fleet.restoreChannels();
        }
        Harness.await(
            Duration.ofSeconds(60),
            "1000 domains discovered and up",
            () -> {
              List<Series> s = harness.scrapeQuietly();
              return Double.valueOf(1000).equals(Series.find(s, "qga_discovered_domains"))
                  && Series.sum(s, "qga_up") == 1000;
            });

        fleet.removeChannels();
        Harness.await(
            Duration.ofSeconds(30),
            "every domain forgotten",
            () -> {
              List<Series> s = harness.scrapeQuietly();
              return Double.valueOf(0).equals(Series.find(s, "qga_discovered_domains"))
                  && s.stream().noneMatch(x -> x.labels().containsKey("domain"));
            });
        assertThat(harness.daemon.domains().all()).isEmpty();
        assertThat(harness.get("/")).contains("No domain discovered");
        heapAfterVanishing[round] = Harness.heapAfterGc();
      }
      // A second thousand that came and went left nothing behind: no sessions, jobs or series.
      assertThat(heapAfterVanishing[1] - heapAfterVanishing[0])
          .as("heap growth from a second round of 1000 domains, bytes")
          .isLessThan(8L * 1024 * 1024);
    }
  }
}
