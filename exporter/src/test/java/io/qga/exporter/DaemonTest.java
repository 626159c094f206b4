package io.qga.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.exporter.config.ConfigLoader;
import io.qga.exporter.runtime.DomainHandle;
import io.qga.sim.Flavour;
import io.qga.sim.SimulatedAgent;
import io.qga.sim.SimulatedGuest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon wired end to end against simulated agents found by a glob. */
class DaemonTest {
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<SimulatedAgent> agents = new ArrayList<>();
  private Daemon daemon;

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
    agents.forEach(SimulatedAgent::close);
  }

  private SimulatedAgent agent(String domain) throws Exception {
    Files.createDirectories(dir.resolve("agents"));
    SimulatedAgent a =
        SimulatedAgent.start(
            dir.resolve("agents").resolve(domain + ".sock"),
            SimulatedGuest.builder(domain).flavour(Flavour.LINUX_9_2).build());
    agents.add(a);
    return a;
  }

  private Path config(String interval, String extra) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(
        file,
        "server:\n  listen: \"127.0.0.1:0\"\n"
            + "discovery:\n  refresh_interval: 200ms\n  globs:\n    - pattern: \""
            + dir.resolve("agents")
            + "/*.sock\"\n"
            + "agent:\n  command_timeout: 1s\n"
            + "collectors:\n  network: {interval: "
            + interval
            + "}\n"
            + extra
            + "state_dir: \""
            + dir.resolve("state")
            + "\"\n");
    return file;
  }

  private String scrape() throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within 15 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  private boolean scrapeContains(String text) {
    try {
      return scrape().contains(text);
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void pollsWhatTheGlobFindsAndFollowsDomainsComingAndGoing() throws Exception {
    agent("web-1");
    Path file = config("1s", "");
    daemon = Daemon.start(file, ConfigLoader.load(file), List.of());
    assertThat(daemon.ready()).isTrue();
    await("web-1 up", () -> scrapeContains("qga_up{domain=\"web-1\"} 1.0"));
    await(
        "web-1 network series",
        () -> scrapeContains("qga_network_receive_bytes_total{domain=\"web-1\""));
    assertThat(scrape())
        .containsPattern(
            "qga_exporter_build_info\\{java_version=\"[^\"]+\",revision=\"[^\"]+\",version=")
        .contains("qga_config_last_reload_successful 1.0")
        .contains("qga_collector_success{collector=\"network\",domain=\"web-1\"} 1.0");

    SimulatedAgent web2 = agent("web-2");
    await("web-2 discovered and up", () -> scrapeContains("qga_up{domain=\"web-2\"} 1.0"));
    assertThat(scrape()).contains("qga_discovered_domains 2.0");

    web2.close(); // the VM stopped: its socket is gone
    await("web-2 gone", () -> !scrapeContains("domain=\"web-2\""));
    assertThat(daemon.domains().find("web-2")).isEmpty();
    assertThat(scrape()).contains("qga_up{domain=\"web-1\"} 1.0");
  }

  @Test
  void aBadReloadKeepsTheOldConfigAndAGoodOneApplies() throws Exception {
    agent("db-1");
    Path file = config("1s", "");
    daemon = Daemon.start(file, ConfigLoader.load(file), List.of());
    await("db-1 up", () -> scrapeContains("qga_up{domain=\"db-1\"} 1.0"));
    DomainHandle before = daemon.domains().find("db-1").orElseThrow();

    Files.writeString(file, "collectors:\n  network: {interval: \"15\"}\n");
    HttpResponse<String> bad =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port() + "/-/reload"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("/collectors/network/interval");
    assertThat(scrape())
        .contains("qga_config_last_reload_successful 0.0")
        .contains("qga_up{domain=\"db-1\"} 1.0");
    assertThat(daemon.config().collectors().interval("network")).isEqualTo(Duration.ofSeconds(1));

    config("2s", "  disk: {enabled: false}\n");
    assertThat(daemon.reload()).isTrue();
    assertThat(scrape()).contains("qga_config_last_reload_successful 1.0");
    assertThat(daemon.config().collectors().interval("network")).isEqualTo(Duration.ofSeconds(2));
    // the healthy domain keeps its state; the disabled collector's series go away
    assertThat(daemon.domains().find("db-1").orElseThrow()).isSameAs(before);
    assertThat(scrape()).doesNotContain("collector=\"disk\"");
  }
}
