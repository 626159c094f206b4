package io.qga.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.exporter.config.ConfigLoader;
import io.qga.sim.SimulatedAgent;
import io.qga.sim.SimulatedGuest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's own series on a real daemon's /metrics: process_* and jvm_* from client_java, build
 * info with revision and Java version, run counters at 0 for each configured policy (and again
 * after a reload adds one), and API requests counted by route template and status.
 */
class SelfMetricsTest {
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<SimulatedAgent> agents = new ArrayList<>();
  private Path sockets;
  private Daemon daemon;

  @AfterEach
  void stop() throws IOException {
    if (daemon != null) {
      daemon.close();
    }
    agents.forEach(SimulatedAgent::close);
    if (sockets != null) {
      try (var files = Files.list(sockets)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(sockets);
    }
  }

  private static String sha256(String token) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
  }

  private Path config(String policies) throws Exception {
    Path config = dir.resolve("config.yaml");
    Files.writeString(
        config,
        "server:\n  listen: \"127.0.0.1:0\"\n"
            + "discovery:\n  refresh_interval: 200ms\n  globs:\n    - pattern: \""
            + sockets
            + "/*.sock\"\n"
            + "api:\n  tokens:\n    - name: ops\n      sha256: "
            + sha256("ops-token")
            + "\n      role: admin\n"
            + "state_dir: \""
            + dir.resolve("state")
            + "\"\n"
            + "policies:\n"
            + policies);
    return config;
  }

  private static final String TRIM =
      "  - name: weekly-trim\n    match: {domains: [\"web-*\"]}\n    schedule: \"0 0 3 ? * SUN\"\n"
          + "    action: {fstrim: {minimum: 0}}\n";
  private static final String CLOCK =
      "  - name: clock-drift\n"
          + "    when: {time_offset_above: 1h}\n"
          + "    action: {time_sync: {source: host}}\n";

  private HttpResponse<String> call(String method, String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port() + path))
            .timeout(Duration.ofSeconds(20))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String metrics() throws Exception {
    HttpResponse<String> r = call("GET", "/metrics", null);
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  @Test
  void metricsCarryJvmProcessBuildZeroRunsAndApiRequests() throws Exception {
    sockets = Files.createTempDirectory(Path.of("/tmp"), "qga-self-");
    for (String d : List.of("web-1", "db-1")) {
      agents.add(
          SimulatedAgent.start(sockets.resolve(d + ".sock"), SimulatedGuest.builder(d).build()));
    }
    Path config = config(TRIM);
    daemon = Daemon.start(config, ConfigLoader.load(config), List.of());

    String page = metrics();
    assertThat(page).contains("\nprocess_cpu_seconds_total ").contains("\njvm_memory_used_bytes{");
    Matcher build =
        Pattern.compile(
                "qga_exporter_build_info\\{java_version=\"([^\"]*)\",revision=\"([^\"]*)\",version=\"([^\"]*)\"}"
                    + " 1")
            .matcher(page);
    assertThat(build.find()).as("build info line in:\n%s", grep(page, "build_info")).isTrue();
    assertThat(build.group(1)).isEqualTo(System.getProperty("java.version"));
    String head = gitHead();
    assertThat(build.group(2)).isEqualTo(head != null ? head : "unknown");

    // each configured policy's action, on each domain it matches, at 0 before any run
    for (String result : List.of("failed", "skipped", "succeeded")) {
      assertThat(page)
          .contains(
              "qga_action_runs_total{action=\"fstrim\",domain=\"web-1\",policy=\"weekly-trim\",result=\""
                  + result
                  + "\"} 0.0");
    }
    assertThat(page).doesNotContain("domain=\"db-1\",policy=\"weekly-trim\"");

    // a reload that adds a policy adds its zero series
    Files.writeString(config, Files.readString(config) + CLOCK);
    assertThat(call("POST", "/-/reload", "ops-token").statusCode()).isEqualTo(200);
    page = metrics();
    assertThat(page)
        .contains(
            "qga_action_runs_total{action=\"time_sync\",domain=\"db-1\",policy=\"clock-drift\",result=\"failed\"}"
                + " 0.0")
        .contains(
            "qga_action_runs_total{action=\"time_sync\",domain=\"web-1\",policy=\"clock-drift\",result=\"succeeded\"}"
                + " 0.0");

    // API requests by route template and status; raw paths never become label values
    assertThat(call("GET", "/api/v1/domains", "ops-token").statusCode()).isEqualTo(200);
    assertThat(call("GET", "/api/v1/domains", "ops-token").statusCode()).isEqualTo(200);
    assertThat(call("GET", "/api/v1/domains", "wrong").statusCode()).isEqualTo(401);
    assertThat(call("GET", "/api/v1/domains/no-such-vm", "ops-token").statusCode()).isEqualTo(404);
    assertThat(call("POST", "/api/v1/domains/web-1/ping", "ops-token").statusCode()).isEqualTo(200);
    assertThat(call("GET", "/api/v1/x-random-1234", "ops-token").statusCode()).isEqualTo(404);
    page = metrics();
    assertThat(page)
        .contains("qga_api_requests_total{code=\"200\",endpoint=\"/api/v1/domains\"} 2.0")
        .contains("qga_api_requests_total{code=\"401\",endpoint=\"/api/v1/domains\"} 1.0")
        .contains("qga_api_requests_total{code=\"404\",endpoint=\"/api/v1/domains/{domain}\"} 1.0")
        .contains(
            "qga_api_requests_total{code=\"200\",endpoint=\"/api/v1/domains/{domain}/ping\"} 1.0")
        .contains("qga_api_requests_total{code=\"200\",endpoint=\"/-/reload\"} 1.0")
        .contains("qga_api_requests_total{code=\"404\",endpoint=\"other\"} 1.0")
        .doesNotContain("no-such-vm")
        .doesNotContain("x-random-1234");

    promtoolAccepts(page);
  }

  private static String grep(String page, String word) {
    return page.lines().filter(l -> l.contains(word)).reduce("", (a, b) -> a + b + "\n");
  }

  /** HEAD of the checkout the classes were built from, or null outside git. */
  private static String gitHead() throws Exception {
    Process p;
    try {
      p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
    } catch (IOException e) {
      return null; // no git: the build could not ask either
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return null;
    }
    return p.exitValue() == 0 && out.matches("[0-9a-f]{40}") ? out : null;
  }

  /**
   * promtool check metrics on the page, when promtool is installed (required with
   * QGA_REQUIRE_REAL).
   */
  private void promtoolAccepts(String page) throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    if (!Files.isExecutable(promtool)) {
      if ("1".equals(System.getenv("QGA_REQUIRE_REAL"))) {
        throw new AssertionError("promtool is missing and QGA_REQUIRE_REAL=1");
      }
      System.err.println("SKIP promtool check: /usr/bin/promtool not installed");
      return;
    }
    Path body = dir.resolve("metrics.txt");
    Files.writeString(body, page);
    Process p =
        new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectInput(body.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool check metrics said:\n%s", out).isZero();
  }
}
