package io.qga.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.client.api.Capabilities;
import io.qga.collectors.Collector;
import io.qga.collectors.Collectors;
import io.qga.exporter.config.ConfigLoader;
import io.qga.sim.testing.QemuGaProcess;
import io.qga.sim.testing.RealPrograms;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: three real qemu-ga processes (unix-listen, every machine-changing command blocked)
 * found by a glob, the daemon on port 0 with 1 s intervals, {@code /metrics} scraped over HTTP. One
 * agent killed: its {@code qga_up} drops to 0 within two intervals while the others stay fresh;
 * restarted: back to 1. {@code promtool check metrics} passes on a scrape.
 */
@Tag("real")
class DaemonRealAgentTest {
  private static final Duration INTERVAL = Duration.ofSeconds(1);
  private static final List<String> DOMAINS = List.of("vm-a", "vm-b", "vm-c");

  /** A metric every collector always writes when its command works (none for an empty list). */
  private static final Map<String, String> SIGNATURE =
      Map.ofEntries(
          Map.entry("network", "qga_network_receive_bytes_total"),
          Map.entry("filesystem", "qga_filesystem_size_bytes"),
          Map.entry("users", "qga_users_logged_in"),
          Map.entry("memory_blocks", "qga_memory_blocks"),
          Map.entry("vcpus", "qga_vcpus"),
          Map.entry("os", "qga_guest_os_info"),
          Map.entry("time", "qga_guest_time_offset_seconds"),
          Map.entry("fsfreeze", "qga_filesystem_frozen"),
          Map.entry("load", "qga_guest_load1"),
          Map.entry("cpu", "qga_guest_cpu_seconds_total"),
          Map.entry("disk", "qga_guest_disk_read_bytes_total"));

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, QemuGaProcess> agents = new LinkedHashMap<>();
  private Daemon daemon;

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
    agents.values().forEach(QemuGaProcess::close);
  }

  private QemuGaProcess startAgent(String domain) throws IOException {
    Path home = dir.resolve("agents").resolve(domain);
    Files.createDirectories(home);
    Files.deleteIfExists(home.resolve("qga.sock")); // left behind by a killed agent
    QemuGaProcess agent = QemuGaProcess.start(home);
    agents.put(domain, agent);
    return agent;
  }

  private String scrape() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** The value of the first sample of {@code metric} whose labels satisfy {@code labels}. */
  private static OptionalDouble value(String scrape, String metric, Predicate<String> labels) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(metric) + "\\{([^}]*)\\} (\\S+)$").matcher(scrape);
    while (m.find()) {
      if (labels.test(m.group(1))) {
        return OptionalDouble.of(Double.parseDouble(m.group(2)));
      }
    }
    return OptionalDouble.empty();
  }

  private static Predicate<String> has(String... pairs) {
    return labels -> {
      for (int i = 0; i < pairs.length; i += 2) {
        if (!labels.contains(pairs[i] + "=\"" + pairs[i + 1] + "\"")) {
          return false;
        }
      }
      return true;
    };
  }

  private void await(Duration timeout, String what, Predicate<String> onScrape) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < end) {
      last = scrape();
      if (onScrape.test(last)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what + "\n" + last);
  }

  private static boolean up(String scrape, String domain, double expected) {
    OptionalDouble v = value(scrape, "qga_up", has("domain", domain));
    return v.isPresent() && v.getAsDouble() == expected;
  }

  private double freshestAgeSeconds(String scrape, String domain) {
    double now = System.currentTimeMillis() / 1000.0;
    Matcher m =
        Pattern.compile("(?m)^qga_collector_last_success_timestamp_seconds\\{([^}]*)\\} (\\S+)$")
            .matcher(scrape);
    double newest = 0;
    while (m.find()) {
      if (m.group(1).contains("domain=\"" + domain + "\"")) {
        newest = Math.max(newest, Double.parseDouble(m.group(2)));
      }
    }
    return now - newest;
  }

  @Test
  void realAgentsAreScrapedLostAndRecovered() throws Exception {
    for (String d : DOMAINS) {
      startAgent(d);
    }
    Path file = dir.resolve("config.yaml");
    StringBuilder yaml = new StringBuilder();
    yaml.append("server:\n  listen: \"127.0.0.1:0\"\n")
        .append("discovery:\n  refresh_interval: 1s\n  globs:\n    - pattern: \"")
        .append(dir.resolve("agents"))
        .append("/*/qga.sock\"\n")
        .append("agent:\n  command_timeout: 1s\n  backoff_max: 1s\n")
        .append("collectors:\n");
    for (Collector c : Collectors.all()) {
      yaml.append("  ").append(c.name()).append(": {interval: 1s}\n");
    }
    yaml.append("state_dir: \"").append(dir.resolve("state")).append("\"\n");
    Files.writeString(file, yaml);
    daemon = Daemon.start(file, ConfigLoader.load(file), List.of());

    // every collector the real agent supports has its series, for every domain
    await(
        Duration.ofSeconds(20),
        "all domains up with collector results",
        s ->
            DOMAINS.stream()
                .allMatch(d -> up(s, d, 1) && s.contains("collector=\"os\",domain=\"" + d + "\"")));
    Capabilities caps = daemon.domains().find("vm-a").orElseThrow().agent().cachedCapabilities();
    assertThat(caps).as("guest-info was read").isNotNull();
    await(
        Duration.ofSeconds(10),
        "every supported collector succeeded with its series",
        s -> {
          for (String d : DOMAINS) {
            for (Collector c : Collectors.all()) {
              boolean supported = caps.supports(c.commands().get(0));
              OptionalDouble ok =
                  value(s, "qga_collector_success", has("domain", d, "collector", c.name()));
              boolean series = value(s, SIGNATURE.get(c.name()), has("domain", d)).isPresent();
              if (supported && (ok.orElse(0) != 1 || !series)) {
                return false;
              }
              if (!supported && (ok.isPresent() || series)) {
                throw new AssertionError(c.name() + " is unsupported yet has series for " + d);
              }
            }
          }
          return true;
        });
    assertThat(caps.supports("guest-network-get-interfaces")).isTrue();

    // one agent dies (SIGKILL: its socket file stays, as a VM's chardev does)
    QemuGaProcess victim = agents.get("vm-b");
    long killedAt = System.nanoTime();
    ProcessHandle.of(victim.pid()).ifPresent(ProcessHandle::destroyForcibly);
    await(Duration.ofSeconds(10), "vm-b down", s -> up(s, "vm-b", 0));
    long downAfterMillis = (System.nanoTime() - killedAt) / 1_000_000;
    assertThat(downAfterMillis).isLessThanOrEqualTo(2 * INTERVAL.toMillis() + 500);
    // the others keep fresh values meanwhile
    for (int i = 0; i < 5; i++) {
      String s = scrape();
      for (String d : List.of("vm-a", "vm-c")) {
        assertThat(up(s, d, 1)).as(d + " up").isTrue();
        assertThat(freshestAgeSeconds(s, d))
            .as(d + " fresh")
            .isLessThan(2 * INTERVAL.toSeconds() + 0.5);
      }
      Thread.sleep(300);
    }

    // restarted: back to 1
    victim.close();
    startAgent("vm-b");
    await(Duration.ofSeconds(10), "vm-b back up", s -> up(s, "vm-b", 1));

    promtoolCheckMetrics(scrape());
  }

  private void promtoolCheckMetrics(String exposition) throws Exception {
    Path promtool = RealPrograms.require("promtool");
    Path out = dir.resolve("promtool.out");
    Process p =
        new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    try {
      p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
      assertThat(p.exitValue()).as("promtool check metrics: " + Files.readString(out)).isZero();
    } finally {
      p.destroyForcibly();
    }
  }
}
