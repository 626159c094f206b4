package io.qga.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qga.exporter.config.ConfigLoader;
import io.qga.sim.SimulatedAgent;
import io.qga.sim.SimulatedGuest;
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
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as {@code run} and {@code demo} wire it, with nothing plugged in from outside: the
 * control API on the daemon's listener, policies run on the same executor, the API's metrics on
 * {@code /metrics}, reloads reaching the API.
 */
class DaemonWiringTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private SimulatedAgent agent;
  private Daemon daemon;

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
    if (agent != null) {
      agent.close();
    }
  }

  private HttpResponse<String> call(String method, String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theDaemonServesTheApiWithPolicyRunsOnTheSameExecutor() throws Exception {
    // unix socket paths are short: /tmp, not the JUnit temp dir
    Path sockets = Files.createTempDirectory(Path.of("/tmp"), "qga-ext-");
    try {
      agent =
          SimulatedAgent.start(
              sockets.resolve("web-1.sock"), SimulatedGuest.builder("web-1").build());
      Path config = dir.resolve("config.yaml");
      Files.writeString(
          config,
          "server:\n  listen: \"127.0.0.1:0\"\n"
              + "discovery:\n  static:\n    - domain: web-1\n      socket: \""
              + agent.socket()
              + "\"\n"
              + "api:\n  tokens:\n    - name: ops\n      sha256: "
              + sha256("ops-token")
              + "\n"
              + "      role: admin\n"
              + "policies:\n"
              + "  - name: weekly-trim\n"
              + "    match: {domains: [\"web-*\"]}\n"
              + "    schedule: \"0 0 3 ? * SUN\"\n"
              + "    action: {fstrim: {minimum: 0}}\n"
              + "state_dir: \""
              + dir.resolve("state")
              + "\"\n");
      daemon = Daemon.start(config, ConfigLoader.load(config));

      assertThat(call("GET", "/api/v1/domains", null).statusCode()).isEqualTo(401);
      HttpResponse<String> list = call("GET", "/api/v1/domains", "ops-token");
      assertThat(list.statusCode()).isEqualTo(200);
      assertThat(json(list).path("domains").get(0).path("name").asText()).isEqualTo("web-1");
      await(
          () -> {
            try {
              return json(call("GET", "/api/v1/domains/web-1", "ops-token"))
                  .path("hostname")
                  .isTextual();
            } catch (Exception e) {
              return false;
            }
          },
          Duration.ofSeconds(20),
          "cached host name from the poller");

      HttpResponse<String> trim =
          call("POST", "/api/v1/domains/web-1/fstrim?wait=20s", "ops-token");
      assertThat(trim.statusCode()).isEqualTo(200);
      assertThat(json(trim).path("state").asText()).isEqualTo("succeeded");
      assertThat(
              json(call("GET", "/api/v1/policies", "ops-token"))
                  .path("policies")
                  .get(0)
                  .path("name")
                  .asText())
          .isEqualTo("weekly-trim");
      // a policy run asked through the API goes to the same executor: audited with the policy
      HttpResponse<String> run = call("POST", "/api/v1/policies/weekly-trim/run", "ops-token");
      assertThat(run.statusCode()).isEqualTo(200);
      String job = json(run).path("decisions").get(0).path("job").asText();
      assertThat(job).isNotEmpty();
      HttpResponse<String> ran = call("GET", "/api/v1/jobs/" + job + "?wait=20s", "ops-token");
      assertThat(json(ran).path("state").asText()).isEqualTo("succeeded");
      String metrics = call("GET", "/metrics", null).body();
      assertThat(metrics).contains("qga_action_runs_total");
      // the API's own series: requests by route template, the 401 above as an auth failure
      assertThat(metrics)
          .contains("qga_api_requests_total{code=\"401\",endpoint=\"/api/v1/domains\"} 1.0")
          .contains(
              "qga_api_requests_total{code=\"200\",endpoint=\"/api/v1/domains/{domain}/fstrim\"}"
                  + " 1.0")
          .contains("qga_api_auth_failures_total{reason=\"missing\"}");
      assertThat(call("POST", "/-/reload", null).statusCode()).isEqualTo(401);
      assertThat(call("POST", "/-/reload", "ops-token").statusCode()).isEqualTo(200);
      String good = Files.readString(config);
      Files.writeString(config, good + "collectors:\n  network: {interval: \"15\"}\n");
      HttpResponse<String> bad = call("POST", "/-/reload", "ops-token");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).contains("/collectors/network/interval").contains("not a duration");
      Files.writeString(config, good);
      assertThat(Files.readString(dir.resolve("state").resolve("audit.jsonl"))).contains("api:ops");
      assertThat(Files.readString(dir.resolve("state").resolve("audit.jsonl")))
          .contains("\"origin\":\"weekly-trim\"");
      assertThat(call("GET", "/metrics", null).body())
          .contains("qga_api_requests_total{code=\"401\",endpoint=\"/-/reload\"} 1.0")
          .contains("qga_api_requests_total{code=\"400\",endpoint=\"/-/reload\"} 1.0");
    } finally {
      if (agent != null) {
        agent.close();
        agent = null;
      }
      try (var files = Files.list(sockets)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(sockets);
    }
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  private static String sha256(String token) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
  }

  private static void await(BooleanSupplier condition, Duration within, String what)
      throws InterruptedException {
    long end = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(what + ": not within " + within);
      }
      Thread.sleep(10);
    }
  }
}
