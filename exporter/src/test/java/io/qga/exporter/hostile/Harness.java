package io.qga.exporter.hostile;

import io.qga.exporter.Daemon;
import io.qga.exporter.config.CollectorsConfig;
import io.qga.exporter.config.ConfigLoader;
import io.qga.sim.Flavour;
import io.qga.sim.SimulatedAgent;
import io.qga.sim.SimulatedGuest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What the hostile and fault suites share: simulated agents on unix sockets in a temp dir, found by
 * a glob; the real daemon in this JVM on port 0 with every collector at one short interval; a
 * scrape parsed into series; polling waits; the heap in use after a GC.
 */
final class Harness implements AutoCloseable {
  final Path dir;
  final Path agentsDir;
  private final List<SimulatedAgent> agents = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  Daemon daemon;

  Harness(Path dir) throws IOException {
    this.dir = dir;
    this.agentsDir = dir.resolve("agents");
    Files.createDirectories(agentsDir);
  }

  /** A Linux 9.2 guest named {@code domain}, shaped by {@code setup}, serving at once. */
  SimulatedAgent agent(String domain, Consumer<SimulatedGuest.Builder> setup) throws IOException {
    SimulatedGuest.Builder guest = SimulatedGuest.builder(domain).flavour(Flavour.LINUX_9_2);
    setup.accept(guest);
    SimulatedAgent a = SimulatedAgent.start(agentsDir.resolve(domain + ".sock"), guest.build());
    agents.add(a);
    return a;
  }

  /** The config: the glob, every collector at {@code interval}, {@code extra} YAML appended. */
  Path config(String interval, String commandTimeout, String refresh, String extra)
      throws IOException {
    return config(interval, commandTimeout, refresh, extra, "");
  }

  /** As above, with {@code agentExtra} (indented YAML lines) added to the {@code agent} section. */
  Path config(
      String interval, String commandTimeout, String refresh, String extra, String agentExtra)
      throws IOException {
    StringBuilder yaml = new StringBuilder();
    yaml.append("server:\n  listen: \"127.0.0.1:0\"\n");
    yaml.append("discovery:\n  refresh_interval: ").append(refresh).append('\n');
    yaml.append("  globs:\n    - pattern: \"").append(agentsDir).append("/*.sock\"\n");
    yaml.append("agent:\n  command_timeout: ").append(commandTimeout).append('\n');
    yaml.append("  backoff_max: 1s\n");
    yaml.append(agentExtra);
    yaml.append("collectors:\n");
    for (String c : CollectorsConfig.NAMES) {
      yaml.append("  ").append(c).append(": {interval: ").append(interval).append("}\n");
    }
    yaml.append("state_dir: \"").append(dir.resolve("state")).append("\"\n");
    yaml.append(extra);
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, yaml.toString());
    return file;
  }

  /** The daemon as {@code run} wires it: poller, executor, policy engine, control API, HTTP. */
  Daemon start(Path config) throws Exception {
    daemon = Daemon.start(config, ConfigLoader.load(config));
    return daemon;
  }

  String get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port() + path))
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  List<Series> scrape() throws IOException, InterruptedException {
    return Series.parse(get("/metrics"));
  }

  /** The scrape, or none when the listener does not answer (for waits). */
  List<Series> scrapeQuietly() {
    try {
      return scrape();
    } catch (IOException | RuntimeException e) {
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  /**
   * Every supported collector of {@code domain} succeeded within {@code maxAge}, and there is at
   * least one: the domain is fresh.
   */
  static boolean fresh(List<Series> scrape, String domain, Duration maxAge) {
    double now = System.currentTimeMillis() / 1000.0;
    Map<String, Double> last = new LinkedHashMap<>();
    List<String> collectors = new ArrayList<>();
    for (Series s : scrape) {
      if (!domain.equals(s.labels().get("domain"))) {
        continue;
      }
      if (s.name().equals("qga_collector_success")) {
        collectors.add(s.labels().get("collector"));
      } else if (s.name().equals("qga_collector_last_success_timestamp_seconds")) {
        last.put(s.labels().get("collector"), s.value());
      }
    }
    if (collectors.isEmpty()) {
      return false;
    }
    for (String c : collectors) {
      Double ts = last.get(c);
      if (ts == null || now - ts > maxAge.toMillis() / 1000.0) {
        return false;
      }
    }
    return true;
  }

  /** Which of {@code domains} are not fresh, with their last errors, for failure messages. */
  String staleness(List<Series> scrape, List<String> domains, Duration maxAge) {
    StringBuilder out = new StringBuilder();
    double now = System.currentTimeMillis() / 1000.0;
    for (String d : domains) {
      if (!fresh(scrape, d, maxAge)) {
        out.append(d).append(": ");
        for (Series s : scrape) {
          if (d.equals(s.labels().get("domain"))
              && s.name().equals("qga_collector_last_success_timestamp_seconds")) {
            out.append(s.labels().get("collector"))
                .append(String.format(" %.1fs ago, ", now - s.value()));
          }
        }
        daemon
            .domains()
            .find(d)
            .ifPresent(h -> out.append("last error: ").append(h.state().lastError()));
        out.append('\n');
      }
    }
    return out.toString();
  }

  static void await(Duration within, String what, BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + within.toSeconds() + " s: " + what);
      }
      Thread.sleep(50);
    }
  }

  /** Heap in use after a full GC (a few rounds, so soft garbage is really gone). */
  static long heapAfterGc() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /**
   * Stops the daemon, then the agents. A daemon whose close does not return within 30 s fails the
   * test with the stuck thread's stack instead of hanging the whole build (seen once: Quartz's
   * {@code SimpleThreadPool.shutdown} waiting forever inside {@code Poller.close}).
   */
  @Override
  public void close() {
    Thread closer = null;
    if (daemon != null) {
      Daemon d = daemon;
      closer = new Thread(d::close, "harness daemon close");
      closer.setDaemon(true);
      closer.start();
      try {
        closer.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    agents.forEach(SimulatedAgent::close);
    if (closer != null && closer.isAlive()) {
      StringBuilder stack = new StringBuilder();
      for (StackTraceElement e : closer.getStackTrace()) {
        stack.append("\n\tat ").append(e);
      }
      throw new AssertionError("Daemon.close() did not return within 30 s:" + stack);
    }
  }
}
