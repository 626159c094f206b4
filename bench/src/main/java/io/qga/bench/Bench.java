package io.qga.bench;

import io.qga.exporter.config.CollectorsConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scale benchmark (issue 9), started by {@code bench/run.sh}. Per scenario: the simulated
 * agents in their own process ({@link FleetHost}), the real exporter ({@code java -jar
 * qga-exporter.jar run --config} with a generated config: a glob over the agents, every collector
 * at its default interval, JVM options as the shipped systemd unit), a warm-up, then a measured
 * window in which {@code /metrics} is scraped every few seconds and the exporter's {@code /proc}
 * entries are read; then the exporter stops and the {@link FloorClient} runs against the same
 * agents for the same time, measured the same way. Prints one markdown table row per scenario.
 *
 * <p>Usage: {@code Bench --jar EXPORTER_JAR --cp BENCH_CLASSPATH --work DIR [--scenarios
 * 100,500,1000,1000bad] [--warmup 30] [--window 45] [--scrape-every 15] [--scrape-burst 10] [--out
 * FILE]}
 *
 * <p>During the window {@code /metrics} is scraped every {@code --scrape-every} seconds (as a
 * Prometheus would; this is the scrape cost inside the CPU figure); after it, {@code
 * --scrape-burst} more scrapes one second apart add samples to the scrape-time percentiles.
 */
public final class Bench {
  private static final Pattern SERIES = Pattern.compile("^([a-z_]+)\\{([^}]*)\\} (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-z_]+)=\"([^\"]*)\"");
  private final String jar;
  private final String classpath;
  private final Path work;
  private final int warmup;
  private final int window;
  private final int scrapeEvery;
  private final int scrapeBurst;
  private final String exporterOpts;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Process> started = new ArrayList<>();
  private final long ticksPerSecond;

  private Bench(Map<String, String> o) throws IOException, InterruptedException {
    jar = required(o, "--jar");
    classpath = required(o, "--cp");
    work = Path.of(required(o, "--work"));
    warmup = Integer.parseInt(o.getOrDefault("--warmup", "30"));
    window = Integer.parseInt(o.getOrDefault("--window", "45"));
    scrapeEvery = Integer.parseInt(o.getOrDefault("--scrape-every", "15"));
    scrapeBurst = Integer.parseInt(o.getOrDefault("--scrape-burst", "10"));
    String env = System.getenv("EXPORTER_JAVA_OPTS");
    // Same as the launcher packaging/qga-exporter, so the RSS measured is the shipped one.
    exporterOpts =
        env != null && !env.isBlank()
            ? env
            : "-Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
                + " -XX:+ExitOnOutOfMemoryError";
    ticksPerSecond = clockTicks();
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i], args[i + 1]);
    }
    Bench bench = new Bench(o);
    Runtime.getRuntime().addShutdownHook(new Thread(bench::stopAll, "bench cleanup"));
    List<String> rows = new ArrayList<>();
    rows.add(
        "| scenario | domains | collectors | exporter cmd/s | floor cmd/s | freshness p50 / p99 /"
            + " max (x interval, healthy) | healthy never polled | /metrics p50 / p99 ms | /metrics"
            + " size | RSS max MB | CPU % of a core | CPU us/cmd exporter / floor (ratio) |");
    rows.add("|---|---|---|---|---|---|---|---|---|---|---|---|");
    System.out.println("exporter JVM options: " + bench.exporterOpts);
    System.out.println(rows.get(0));
    System.out.println(rows.get(1));
    for (String scenario : o.getOrDefault("--scenarios", "100,500,1000,1000bad").split(",")) {
      String row = bench.run(scenario.trim());
      rows.add(row);
      System.out.println(row);
    }
    String out = o.get("--out");
    if (out != null) {
      Files.write(Path.of(out), rows, StandardCharsets.UTF_8);
    }
  }

  private String run(String scenario) throws Exception {
    boolean bad = scenario.endsWith("bad");
    int domains = Integer.parseInt(bad ? scenario.substring(0, scenario.length() - 3) : scenario);
    Path dir = work.resolve("s-" + scenario);
    deleteTree(dir);
    Files.createDirectories(dir);
    log(scenario + ": starting " + domains + " simulated agents");
    Process fleet =
        start(
            dir.resolve("fleet.log"),
            "java",
            "-Xss256k",
            "-cp",
            classpath,
            FleetHost.class.getName(),
            dir.toString(),
            String.valueOf(domains),
            bad ? "10" : "0",
            bad ? "10" : "0");
    BufferedReader fleetOut =
        new BufferedReader(new InputStreamReader(fleet.getInputStream(), StandardCharsets.UTF_8));
    Writer fleetIn = new OutputStreamWriter(fleet.getOutputStream(), StandardCharsets.UTF_8);
    expect(fleetOut, "ready");
    Set<String> healthy = new HashSet<>();
    for (String line : Files.readAllLines(dir.resolve("roles.txt"))) {
      String[] parts = line.split(" ");
      if (parts[1].equals("healthy")) {
        healthy.add(parts[0]);
      }
    }

    int port = freePort();
    Path config = dir.resolve("config.yaml");
    Files.writeString(
        config,
        "server:\n  listen: \"127.0.0.1:"
            + port
            + "\"\n"
            + "discovery:\n  globs:\n    - pattern: \""
            + dir.resolve("agents")
            + "/*.sock\"\n"
            + "state_dir: \""
            + dir.resolve("state")
            + "\"\n");
    List<String> cmd = new ArrayList<>();
    cmd.add("java");
    cmd.addAll(Arrays.asList(exporterOpts.trim().split("\\s+")));
    cmd.addAll(List.of("-jar", jar, "run", "--config", config.toString()));
    log(scenario + ": starting the exporter (" + String.join(" ", cmd) + ")");
    Process exporter = start(dir.resolve("exporter.log"), cmd.toArray(String[]::new));
    String base = "http://127.0.0.1:" + port;
    awaitReady(base, exporter);
    log(scenario + ": exporter ready; warming up " + warmup + " s");
    warmUp(base);

    Window w = measure(exporter.pid(), fleetIn, fleetOut, base, healthy);
    log(scenario + ": exporter window done; stopping it");
    stop(exporter);

    log(scenario + ": floor client for " + (warmup + window) + " s");
    Process floor =
        start(
            dir.resolve("floor.log"),
            "java",
            "-Xss256k",
            "-cp",
            classpath,
            FloorClient.class.getName(),
            dir.resolve("agents").toString(),
            String.valueOf(warmup + window + 5));
    Thread.sleep(warmup * 1000L);
    Window f = measure(floor.pid(), fleetIn, fleetOut, null, healthy);
    floor.waitFor(30, TimeUnit.SECONDS);
    stop(floor);

    fleetIn.close();
    if (!fleet.waitFor(30, TimeUnit.SECONDS)) {
      stop(fleet);
    }
    double exporterCost = w.cpuSeconds / Math.max(1, w.commands) * 1e6;
    double floorCost = f.cpuSeconds / Math.max(1, f.commands) * 1e6;
    return String.format(
        Locale.ROOT,
        "| %s | %d | %d | %.0f | %.0f | %.2f / %.2f / %.2f | %d | %.0f / %.0f%s | %.0f KiB |"
            + " %.0f | %.1f | %.0f / %.0f (%.2fx) |",
        bad ? "20 % bad" : "healthy",
        domains,
        CollectorsConfig.NAMES.size(),
        w.commands / (double) window,
        f.commands / (double) window,
        percentile(w.freshness, 50),
        percentile(w.freshness, 99),
        percentile(w.freshness, 100),
        w.neverPolled,
        percentile(w.scrapeMillis, 50),
        percentile(w.scrapeMillis, 99),
        w.scrapeTimeouts == 0 ? "" : " (" + w.scrapeTimeouts + " over 30 s)",
        w.scrapeBytes / 1024.0,
        w.rssMaxKb / 1024.0,
        w.cpuSeconds / window * 100,
        exporterCost,
        floorCost,
        exporterCost / floorCost);
  }

  /** What one measured window saw. */
  private static final class Window {
    double cpuSeconds;
    long commands;
    long rssMaxKb;
    final List<Double> freshness = new ArrayList<>();
    final List<Double> scrapeMillis = new ArrayList<>();
    long scrapeBytes;
    int scrapeTimeouts;
    int neverPolled;
  }

  /** One window of {@link #window} s on process {@code pid}; scrapes when {@code base} is set. */
  private Window measure(
      long pid, Writer fleetIn, BufferedReader fleetOut, String base, Set<String> healthy)
      throws Exception {
    Window w = new Window();
    long cpu0 = cpuTicks(pid);
    long commands0 = count(fleetIn, fleetOut);
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(window);
    long nextScrape = start + TimeUnit.SECONDS.toNanos(1);
    String lastBody = null;
    double lastAt = 0;
    while (System.nanoTime() < end) {
      w.rssMaxKb = Math.max(w.rssMaxKb, rssKb(pid));
      if (base != null && System.nanoTime() >= nextScrape) {
        nextScrape += TimeUnit.SECONDS.toNanos(scrapeEvery);
        double at = System.currentTimeMillis() / 1000.0; // Prometheus stamps the scrape's start
        String body = scrape(base, w);
        if (body != null) {
          lastBody = body;
          lastAt = at;
          freshness(lastBody, lastAt, healthy, w, false);
        }
      }
      Thread.sleep(250);
    }
    w.cpuSeconds = (cpuTicks(pid) - cpu0) / (double) ticksPerSecond;
    w.commands = count(fleetIn, fleetOut) - commands0;
    if (lastBody != null) {
      freshness(lastBody, lastAt, healthy, w, true);
    }
    for (int i = 0; base != null && i < scrapeBurst; i++) {
      w.rssMaxKb = Math.max(w.rssMaxKb, rssKb(pid));
      double at = System.currentTimeMillis() / 1000.0;
      String body = scrape(base, w);
      if (body != null) {
        freshness(body, at, healthy, w, false);
      }
      Thread.sleep(1000);
    }
    return w;
  }

  /**
   * The warm-up, scraped every {@code --scrape-every} seconds as Prometheus would from the
   * exporter's start (untimed): a scrape path first measured after 30 s of never running would be
   * measured before the JIT compiler ever saw it.
   */
  private void warmUp(String base) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
    Window ignored = new Window();
    while (System.nanoTime() < end) {
      scrape(base, ignored);
      long left = end - System.nanoTime();
      Thread.sleep(Math.max(0, Math.min(TimeUnit.NANOSECONDS.toMillis(left), scrapeEvery * 1000L)));
    }
  }

  /**
   * One timed scrape, to the last byte of the body (decoding it is the benchmark's work, not the
   * exporter's); null when it took over 30 s (counted as infinitely slow).
   */
  private String scrape(String base, Window w) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    HttpResponse<byte[]> r;
    try {
      r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/metrics"))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (java.net.http.HttpTimeoutException e) {
      w.scrapeMillis.add(Double.POSITIVE_INFINITY);
      w.scrapeTimeouts++;
      return null;
    }
    w.scrapeMillis.add((System.nanoTime() - t0) / 1e6);
    w.scrapeBytes = r.body().length;
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  /**
   * Adds the age / interval of every healthy domain's supported collectors to {@code w}; a
   * collector with {@code qga_collector_success} but no last success counts as infinitely old. With
   * {@code countMissing}, also counts healthy domains with no series at all.
   */
  private static void freshness(
      String body, double now, Set<String> healthy, Window w, boolean countMissing) {
    Map<String, Double> last = new HashMap<>();
    Set<String> expected = new HashSet<>();
    Set<String> seen = new HashSet<>();
    for (String line : body.split("\n")) {
      Matcher m = SERIES.matcher(line);
      if (!m.matches()) {
        continue;
      }
      String name = m.group(1);
      if (!name.equals("qga_collector_success")
          && !name.equals("qga_collector_last_success_timestamp_seconds")) {
        continue;
      }
      Map<String, String> labels = new HashMap<>();
      Matcher l = LABEL.matcher(m.group(2));
      while (l.find()) {
        labels.put(l.group(1), l.group(2));
      }
      String domain = labels.get("domain");
      if (!healthy.contains(domain)) {
        continue;
      }
      seen.add(domain);
      String key = domain + "/" + labels.get("collector");
      if (name.equals("qga_collector_success")) {
        expected.add(key);
      } else {
        last.put(key, Double.parseDouble(m.group(3)));
      }
    }
    if (countMissing) {
      w.neverPolled = healthy.size() - seen.size();
      return;
    }
    for (String key : expected) {
      Double ts = last.get(key);
      double interval =
          CollectorsConfig.DEFAULT.interval(key.substring(key.indexOf('/') + 1)).toMillis()
              / 1000.0;
      w.freshness.add(ts == null ? Double.POSITIVE_INFINITY : (now - ts) / interval);
    }
  }

  // --- processes ---------------------------------------------------------------------------

  /** Starts a process, stderr to {@code log}; stdout too unless it is the fleet's (piped). */
  private Process start(Path log, String... command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (Arrays.asList(command).contains(FleetHost.class.getName())) {
      pb.redirectErrorStream(false).redirectError(log.toFile());
    } else {
      pb.redirectOutput(log.toFile());
    }
    Process p = pb.start();
    synchronized (started) {
      started.add(p);
    }
    return p;
  }

  private static void stop(Process p) throws InterruptedException {
    if (!p.isAlive()) {
      return;
    }
    p.destroy(); // SIGTERM: the exporter stops cleanly
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private void stopAll() {
    synchronized (started) {
      for (Process p : started) {
        try {
          stop(p);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private void awaitReady(String base, Process exporter) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < end) {
      if (!exporter.isAlive()) {
        throw new IllegalStateException("the exporter exited with " + exporter.exitValue());
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/-/ready")).build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the exporter was not ready within 120 s");
  }

  private static long count(Writer in, BufferedReader out) throws IOException {
    in.write("count\n");
    in.flush();
    String line = expect(out, "count ");
    return Long.parseLong(line.substring("count ".length()).trim());
  }

  private static String expect(BufferedReader out, String prefix) throws IOException {
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new IOException("the fleet process ended before printing " + prefix.trim());
  }

  // --- /proc -------------------------------------------------------------------------------

  /** utime + stime of the process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      // the process ended
    }
    return 0;
  }

  private static long clockTicks() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
    p.waitFor();
    return out.isEmpty() ? 100 : Long.parseLong(out);
  }

  // --- small helpers -------------------------------------------------------------------------

  static double percentile(List<Double> values, double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int i = (int) Math.ceil(p / 100.0 * v.length) - 1;
    return v[Math.max(0, Math.min(v.length - 1, i))];
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String required(Map<String, String> o, String key) {
    String v = o.get(key);
    if (v == null) {
      throw new IllegalArgumentException(key + " is required");
    }
    return v;
  }

  private static void log(String message) {
    System.err.println("[bench " + java.time.LocalTime.now().withNano(0) + "] " + message);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
