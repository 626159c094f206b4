package io.qga.exporter.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.exporter.config.CollectorsConfig;
import io.qga.sim.SimulatedAgent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A guest frozen by someone else (a backup tool through libvirt on the same agent) or by the
 * exporter itself. While frozen, the simulated qemu-ga 9.2 refuses polled commands with the real
 * wording "Command X has been disabled: the agent is in frozen state", and its guest-info shows
 * them disabled. The series must stay (marked stale) and come back fresh at the thaw; the
 * exporter's own thaw must be known at once to the shutdown check.
 */
@Timeout(120)
class FrozenGuestTest {
  private static final String ADMIN = "admin-secret-for-frozen-tests";
  private static final List<String> PAUSED = List.of("filesystem", "network", "users");

  private Path dir;
  private Harness harness;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void setUp() throws Exception {
    dir = Files.createTempDirectory(Path.of("/tmp"), "qga-frozen-");
    harness = new Harness(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void seriesStayWhileFrozenAndComeBackFreshAtTheThaw() throws Exception {
    SimulatedAgent agent = harness.agent("backup-1", g -> {});
    harness.start(harness.config("1s", "2s", "1s", ""));
    Harness.await(
        Duration.ofSeconds(20),
        "backup-1 fresh",
        () -> Harness.fresh(harness.scrapeQuietly(), "backup-1", Duration.ofSeconds(3)));

    agent.guest().setFrozen(true);
    long asked = agent.guest().commandCount("guest-get-fsinfo");
    // asked again and again while frozen: never written off as "unsupported"
    Harness.await(
        Duration.ofSeconds(15),
        "guest-get-fsinfo asked 3 more times while frozen",
        () -> agent.guest().commandCount("guest-get-fsinfo") >= asked + 3);
    List<Series> frozen = harness.scrape();
    for (String c : PAUSED) {
      assertThat(Series.find(frozen, "qga_collector_success", "domain", "backup-1", "collector", c))
          .as("%s marked stale while frozen", c)
          .isEqualTo(0.0);
    }
    assertThat(Series.find(frozen, "qga_filesystem_size_bytes", "domain", "backup-1"))
        .as("filesystem series kept while frozen")
        .isNotNull();
    assertThat(Series.find(frozen, "qga_network_receive_bytes_total", "domain", "backup-1"))
        .as("network series kept while frozen")
        .isNotNull();
    assertThat(Series.find(frozen, "qga_users_logged_in", "domain", "backup-1"))
        .as("users series kept while frozen")
        .isNotNull();
    assertThat(Series.find(frozen, "qga_up", "domain", "backup-1")).isEqualTo(1.0);

    agent.guest().setFrozen(false);
    Harness.await(
        Duration.ofSeconds(6),
        "backup-1 fresh again right after the thaw",
        () -> {
          List<Series> s = harness.scrapeQuietly();
          return PAUSED.stream()
                  .allMatch(
                      c ->
                          Double.valueOf(1)
                              .equals(
                                  Series.find(
                                      s,
                                      "qga_collector_success",
                                      "domain",
                                      "backup-1",
                                      "collector",
                                      c)))
              && Harness.fresh(s, "backup-1", Duration.ofSeconds(3));
        });
  }

  @Test
  void aGuestFrozenWhenTheExporterStartsIsPolledFullyAtTheThaw() throws Exception {
    SimulatedAgent agent = harness.agent("backup-2", g -> {});
    agent.guest().setFrozen(true); // guest-info now lists the polled commands as disabled
    harness.start(harness.config("1s", "2s", "1s", ""));
    Harness.await(
        Duration.ofSeconds(20),
        "backup-2 up and seen frozen",
        () -> {
          List<Series> s = harness.scrapeQuietly();
          return Double.valueOf(1).equals(Series.find(s, "qga_up", "domain", "backup-2"))
              && agent.guest().commandCount("guest-get-fsinfo") >= 2;
        });

    agent.guest().setFrozen(false);
    Harness.await(
        Duration.ofSeconds(6),
        "backup-2 fully polled right after the thaw",
        () -> {
          List<Series> s = harness.scrapeQuietly();
          return Series.find(s, "qga_filesystem_size_bytes", "domain", "backup-2") != null
              && Series.find(s, "qga_network_receive_bytes_total", "domain", "backup-2") != null
              && Series.find(s, "qga_users_logged_in", "domain", "backup-2") != null;
        });
  }

  @Test
  void aShutdownRightAfterTheDeadlineThawIsNotRefused() throws Exception {
    SimulatedAgent agent = harness.agent("db-1", g -> {});
    startWithApi();
    HttpResponse<String> freeze =
        post("/api/v1/domains/db-1/fsfreeze?wait=10s", "{\"deadline\": \"2s\"}");
    assertThat(freeze.statusCode()).as(freeze.body()).isEqualTo(200);
    assertThat(agent.guest().frozen()).isTrue();
    // the deadline thaw asks guest-fsfreeze-status ("frozen") first, then thaws
    Harness.await(Duration.ofSeconds(10), "the deadline thaw", () -> !agent.guest().frozen());
    Harness.await(
        Duration.ofSeconds(5),
        "the promise released",
        () -> !readQuietly(dir.resolve("state/fsfreeze.json")).contains("db-1"));

    // queue=true: the thaw's job may still be writing its audit record (busy, not frozen); a
    // domain still taken for frozen would be refused with 409 "frozen" even so
    HttpResponse<String> shutdown = post("/api/v1/domains/db-1/shutdown?wait=10s&queue=true", "{}");
    assertThat(shutdown.statusCode()).as(shutdown.body()).isEqualTo(200);
    assertThat(agent.guest().lastShutdownMode()).isEqualTo("powerdown");
  }

  @Test
  void aShutdownRightAfterAnApiThawIsNotRefused() throws Exception {
    SimulatedAgent agent = harness.agent("db-2", g -> {});
    startWithApi();
    HttpResponse<String> freeze =
        post("/api/v1/domains/db-2/fsfreeze?wait=10s", "{\"deadline\": \"60s\"}");
    assertThat(freeze.statusCode()).as(freeze.body()).isEqualTo(200);
    // someone reads the freeze state while frozen: the cached state says "frozen"
    HttpResponse<String> status =
        post("/api/v1/domains/db-2/command?wait=10s", "{\"execute\": \"guest-fsfreeze-status\"}");
    assertThat(status.body()).contains("frozen");
    HttpResponse<String> thaw = post("/api/v1/domains/db-2/fsthaw?wait=10s", "{}");
    assertThat(thaw.statusCode()).as(thaw.body()).isEqualTo(200);

    HttpResponse<String> shutdown = post("/api/v1/domains/db-2/shutdown?wait=10s&queue=true", "{}");
    assertThat(shutdown.statusCode()).as(shutdown.body()).isEqualTo(200);
    assertThat(agent.guest().lastShutdownMode()).isEqualTo("powerdown");
  }

  /** Every collector at 1 s except fsfreeze (1 h: its status poll cannot hide a stale cache). */
  private void startWithApi() throws Exception {
    StringBuilder yaml = new StringBuilder();
    yaml.append("server:\n  listen: \"127.0.0.1:0\"\n");
    yaml.append("discovery:\n  refresh_interval: 1s\n");
    yaml.append("  globs:\n    - pattern: \"").append(harness.agentsDir).append("/*.sock\"\n");
    yaml.append("agent:\n  command_timeout: 2s\n");
    yaml.append("collectors:\n");
    for (String c : CollectorsConfig.NAMES) {
      yaml.append("  ")
          .append(c)
          .append(": {interval: ")
          .append(c.equals("fsfreeze") ? "1h" : "1s")
          .append("}\n");
    }
    yaml.append("state_dir: \"").append(dir.resolve("state")).append("\"\n");
    yaml.append("api:\n  tokens:\n    - name: root\n      sha256: ")
        .append(sha256(ADMIN))
        .append('\n');
    yaml.append("      role: admin\n");
    yaml.append("  command_allow_list: [\"guest-fsfreeze-status\"]\n");
    Path config = dir.resolve("api-config.yaml");
    Files.writeString(config, yaml.toString());
    harness.start(config);
    Harness.await(
        Duration.ofSeconds(20),
        "the domain up",
        () -> Series.sum(harness.scrapeQuietly(), "qga_up") == 1);
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + harness.daemon.port() + path))
            .header("Authorization", "Bearer " + ADMIN)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(20))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private static String sha256(String token) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
  }
}
