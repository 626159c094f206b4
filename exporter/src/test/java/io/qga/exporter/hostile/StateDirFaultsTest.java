package io.qga.exporter.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qga.exporter.action.AuditLog;
import io.qga.exporter.action.RealMounts;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real daemon with its {@code state_dir} on a real 64k tmpfs that fills up: it freezes nothing
 * without a durable thaw promise, runs nothing it cannot audit, says so in every answer and in
 * {@code qga_audit_write_failures_total}, and works again as soon as there is room.
 */
class StateDirFaultsTest {
  private static final String TOKEN = "state-dir-faults-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aFullStateDirRefusesFreezesAndActionsAndRecovers() throws Exception {
    RealMounts.requireRoot("a full state_dir (64k tmpfs)");
    try (RealMounts mounts = new RealMounts()) {
      Path state = mounts.tmpfs(dir.resolve("state"), "64k");
      Harness harness = new Harness(dir);
      try {
        SimulatedAgent agent = harness.agent("db-1", g -> {});
        String sha =
            HexFormat.of()
                .formatHex(
                    MessageDigest.getInstance("SHA-256")
                        .digest(TOKEN.getBytes(StandardCharsets.UTF_8)));
        harness.start(
            harness.config(
                "1s",
                "2s",
                "1s",
                "api:\n  tokens:\n    - {name: ops, sha256: "
                    + sha
                    + ", role: admin}\n"
                    + "  command_allow_list: [guest-info, \"guest-fsfreeze-*\"]\n"));
        Harness.await(
            Duration.ofSeconds(20),
            "db-1 up",
            () ->
                Double.valueOf(1)
                    .equals(Series.find(harness.scrapeQuietly(), "qga_up", "domain", "db-1")));
        Path filler = RealMounts.fill(state);

        HttpResponse<String> freeze =
            post(harness, "/api/v1/domains/db-1/fsfreeze?wait=10s", "{\"deadline\": \"5m\"}");
        assertThat(freeze.statusCode()).as(freeze.body()).isEqualTo(503);
        assertThat(JSON.readTree(freeze.body()).path("error").asText())
            .startsWith("cannot record the thaw promise in " + state.resolve("fsfreeze.json"))
            .contains("No space left on device");

        HttpResponse<String> trim = post(harness, "/api/v1/domains/db-1/fstrim?wait=10s", "{}");
        JsonNode job = JSON.readTree(trim.body());
        assertThat(job.path("state").asText()).as(trim.body()).isEqualTo("failed");
        assertThat(job.path("error").asText())
            .startsWith("not run: cannot write the audit log " + state.resolve(AuditLog.FILE));
        assertThat(job.path("audit_error").asText()).contains("the action was not run");
        assertThat(job.path("outcome").asText()).isEqualTo("failed");

        HttpResponse<String> passthrough =
            post(
                harness,
                "/api/v1/domains/db-1/command",
                "{\"execute\": \"guest-fsfreeze-freeze\"}");
        assertThat(passthrough.statusCode()).as(passthrough.body()).isEqualTo(403);

        assertThat(agent.guest().commandCount("guest-fsfreeze-freeze")).isZero();
        assertThat(agent.guest().commandCount("guest-fstrim")).isZero();
        assertThat(agent.guest().frozen()).isFalse();
        Double failures = Series.find(harness.scrape(), "qga_audit_write_failures_total");
        assertThat(failures)
            .as("qga_audit_write_failures_total")
            .isNotNull()
            .isGreaterThanOrEqualTo(1.0);

        // room again: the next action runs and every line of the log is a whole record
        Files.delete(filler);
        trim = post(harness, "/api/v1/domains/db-1/fstrim?wait=10s", "{}");
        assertThat(JSON.readTree(trim.body()).path("state").asText())
            .as(trim.body())
            .isEqualTo("succeeded");
        assertThat(agent.guest().commandCount("guest-fstrim")).isEqualTo(1);
        List<String> lines = Files.readAllLines(state.resolve(AuditLog.FILE));
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
          assertThat(JSON.readTree(line).isObject()).as(line).isTrue();
        }
      } finally {
        harness.close(); // before the unmount: the daemon holds the audit log open
      }
    }
  }

  private HttpResponse<String> post(Harness harness, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + harness.daemon.port() + path))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
