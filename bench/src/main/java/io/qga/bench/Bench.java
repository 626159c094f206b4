package io.qga.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The scale benchmark (issue 9), started by {@code bench/run.sh}. Per scenario: the simulated
 * agents in their own process ({@link FleetHost}), the real exporter ({@code java -jar
 * qga-exporter.jar run --config} with a generated config: a glob over the agents, every collector
 * at its default interval, JVM options as the shipped launcher), a warm-up, then a measured window
 * in which {@code /metrics} is scraped as Prometheus scrapes and the exporter's {@code /proc}
 * entries are read; then the exporter stops and the floors run against the same agents for the same
 * time, measured the same way: the native floor ({@code bench/floor/floor.c}, one C thread with
 * epoll), optionally the Java NIO floor ({@link NioFloor}: the same on one Java thread with a
 * Selector and the project's codec) and the Java floor ({@link FloorClient}, the project's own
 * AgentSession, a thread per agent). Prints one markdown table row per scenario, then the command
 * mix each client sent.
 *
 * <p>Usage: {@code Bench --jar EXPORTER_JAR --cp BENCH_CLASSPATH --work DIR --floor-bin FLOOR
 * [--scenarios 100,500,1000,1000bad] [--warmup 30] [--window 45] [--scrape-every 15]
 * [--scrape-burst 10] [--floors native,nio,java] [--floor-warmup WARMUP] [--jfr true] [--out
 * FILE]}. A scenario {@code Nbad} has 10 % agents that never answer and 10 % that answer after 2 s.
 *
 * <p>During the window {@code /metrics} is scraped every {@code --scrape-every} seconds as
 * Prometheus does (its Accept header, gzip; this is the scrape cost inside the CPU figure); after
 * it, {@code --scrape-burst} rounds one second apart each scrape once plain and once as Prometheus,
 * for the scrape-time percentiles. With {@code --jfr true} the window is recorded with JFR ({@code
 * jcmd JFR.start settings=profile}) into the scenario's directory.
 */
public final class Bench {
  private final String jar;
  private final String classpath;
  private final String floorBin;
  private final Path work;
  private final int warmup;
  private final int floorWarmup;
  private final int window;
  private final int scrapeEvery;
  private final int scrapeBurst;
  private final Set<String> floors;
  private final boolean jfr;
  private final String exporterOpts;
  private final List<Process> started = new ArrayList<>();
  private final long ticksPerSecond;
  private final List<String> mixes = new ArrayList<>();

  private Bench(Map<String, String> o) throws IOException, InterruptedException {
    jar = required(o, "--jar");
    classpath = required(o, "--cp");
    work = Path.of(required(o, "--work"));
    floorBin = o.get("--floor-bin");
    warmup = Integer.parseInt(o.getOrDefault("--warmup", "30"));
    window = Integer.parseInt(o.getOrDefault("--window", "45"));
    floorWarmup = Integer.parseInt(o.getOrDefault("--floor-warmup", String.valueOf(warmup)));
    scrapeEvery = Integer.parseInt(o.getOrDefault("--scrape-every", "15"));
    scrapeBurst = Integer.parseInt(o.getOrDefault("--scrape-burst", "10"));
    floors = new HashSet<>(Arrays.asList(o.getOrDefault("--floors", "native,nio,java").split(",")));
    if (floors.contains("native") && floorBin == null) {
      throw new IllegalArgumentException("--floor-bin is required for the native floor");
    }
    jfr = Boolean.parseBoolean(o.getOrDefault("--jfr", "false"));
    String env = System.getenv("EXPORTER_JAVA_OPTS");
    // Same as the launcher packaging/qga-exporter, so the RSS measured is the shipped one.
    exporterOpts =
        env != null && !env.isBlank()
            ? env
            : "-Xms32m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
                + " -XX:+ExitOnOutOfMemoryError";
    ticksPerSecond = Proc.clockTicks();
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
        "| scenario | domains | load 1 min (start / end of window) | cmd/s exporter / native / NIO"
            + " / Java floor | freshness p50 / p99 / max (x interval, healthy) | healthy never"
            + " polled | /metrics plain p50 / p99 ms, size | /metrics as Prometheus (gzip) p50 /"
            + " p99 ms, size | RSS max MB | threads max | CPU % of a core | CPU us/cmd exporter |"
            + " native floor us/cmd (exporter / it) | Java NIO floor us/cmd (exporter / it) | Java"
            + " floor us/cmd (exporter / it) |");
    rows.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    System.out.println("exporter JVM options: " + bench.exporterOpts);
    System.out.println(rows.get(0));
    System.out.println(rows.get(1));
    for (String scenario : o.getOrDefault("--scenarios", "100,500,1000,1000bad").split(",")) {
      String row = bench.run(scenario.trim());
      rows.add(row);
      System.out.println(row);
    }
    rows.add("");
    rows.add(
        "Commands received by the agents in the window, per command (exporter / native floor /"
            + " NIO floor / Java floor / virtual-thread floor):");
    rows.add("");
    rows.addAll(bench.mixes);
    bench.mixes.forEach(System.out::println);
    String out = o.get("--out");
    if (out != null) {
      Files.write(Path.of(out), rows, StandardCharsets.UTF_8);
    }
  }

  private String run(String scenario) throws Exception {
    boolean bad = scenario.endsWith("bad");
    int domains = Integer.parseInt(bad ? scenario.substring(0, scenario.length() - 3) : scenario);
    Path dir = work.resolve("s-" + scenario);
    BenchIo.deleteTree(dir);
    Files.createDirectories(dir);
    BenchIo.log(
        scenario + ": starting " + domains + " simulated agents (load " + Proc.load() + ")");
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
    FleetLink agents =
        new FleetLink(
            new OutputStreamWriter(fleet.getOutputStream(), StandardCharsets.UTF_8),
            new BufferedReader(
                new InputStreamReader(fleet.getInputStream(), StandardCharsets.UTF_8)));
    agents.expect("ready");
    Set<String> healthy = new HashSet<>();
    for (String line : Files.readAllLines(dir.resolve("roles.txt"))) {
      String[] parts = line.split(" ");
      if (parts[1].equals("healthy")) {
        healthy.add(parts[0]);
      }
    }

    int port = BenchIo.freePort();
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
    BenchIo.log(scenario + ": starting the exporter (" + String.join(" ", cmd) + ")");
    Process exporter = start(dir.resolve("exporter.log"), cmd.toArray(String[]::new));
    Scraper scraper = new Scraper("http://127.0.0.1:" + port);
    Window w = new Window();
    if (awaitReady(scraper, exporter)) { // false, or exits in the warm-up: a row that says so
      BenchIo.log(scenario + ": exporter ready; warming up " + warmup + " s");
      warmUp(scraper, exporter);
      if (jfr) {
        BenchIo.jcmd(exporter.pid(), "JFR.start", "name=bench", "settings=profile");
      }
      if (exporter.isAlive()) {
        w = measure(exporter, agents, scraper, healthy, dir.resolve("exporter-thread-cpu.txt"));
      }
      if (jfr && exporter.isAlive()) {
        BenchIo.jcmd(
            exporter.pid(), "JFR.stop", "name=bench", "filename=" + dir.resolve("exporter.jfr"));
        Files.writeString(
            dir.resolve("exporter-threads.txt"), BenchIo.jcmd(exporter.pid(), "Thread.print"));
      }
    }
    boolean died = !w.complete; // exited before the end of its window (or never got to it)
    BenchIo.log(
        scenario
            + ": exporter window done"
            + (exporter.isAlive()
                ? "; stopping it"
                : ": the exporter EXITED"
                    + (died ? "" : " after it")
                    + ", see "
                    + dir.resolve("exporter.log")));
    stop(exporter);

    String agentDir = dir.resolve("agents").toString();
    int seconds = floorWarmup + window + 3;
    Path plan = NativeFloor.writePlan(dir.resolve("floor-plan.txt"));
    Window n = null;
    if (floors.contains("native")) {
      BenchIo.log(scenario + ": native floor for " + (floorWarmup + window) + " s");
      n =
          runFloor(
              dir.resolve("native-floor.log"),
              agents,
              healthy,
              FloorCommands.nativeFloor(floorBin, plan, agentDir, seconds));
    }
    Window nio = null;
    if (floors.contains("nio")) {
      BenchIo.log(scenario + ": Java NIO floor for " + (floorWarmup + window) + " s");
      nio =
          runFloor(
              dir.resolve("nio-floor.log"),
              agents,
              healthy,
              FloorCommands.nioFloor(classpath, plan, agentDir, seconds));
    }
    Window vt = null;
    if (floors.contains("vt")) {
      BenchIo.log(scenario + ": virtual-thread floor for " + (floorWarmup + window) + " s");
      vt =
          runFloor(
              dir.resolve("vt-floor.log"),
              agents,
              healthy,
              FloorCommands.virtualThreadFloor(classpath, agentDir, seconds));
    }
    Window j = null;
    if (floors.contains("java")) {
      BenchIo.log(scenario + ": Java floor for " + (floorWarmup + window) + " s");
      j =
          runFloor(
              dir.resolve("floor.log"),
              agents,
              healthy,
              FloorCommands.javaFloor(classpath, agentDir, seconds));
    }
    agents.close();
    if (!fleet.waitFor(30, TimeUnit.SECONDS)) {
      stop(fleet);
    }
    mixes.add(Report.mixLine(scenario, w, n, nio, j, vt));
    if (vt != null) {
      mixes.add(
          String.format(
              Locale.ROOT,
              "- %s, virtual-thread floor: %.0f cmd/s, %s us/cmd,"
                  + " RSS max %.0f MB, threads max %d",
              scenario,
              vt.commands / (double) window,
              Report.floorCost(w.cpuSeconds / Math.max(1, w.commands) * 1e6, vt),
              vt.rssMaxKb / 1024.0,
              vt.threadsMax));
    }
    double cost = w.cpuSeconds / Math.max(1, w.commands) * 1e6;
    return String.format(
        Locale.ROOT,
        "| %s | %d | %s / %s | %s / %s / %s / %s | %.2f / %.2f / %.2f | %d | %s | %s | %.0f | %d |"
            + " %.1f | %s | %s | %s | %s |",
        bad ? "20 % bad" : "healthy",
        domains,
        w.loadStart,
        w.loadEnd,
        died ? "exited" : String.format(Locale.ROOT, "%.0f", w.commands / (double) window),
        n == null ? "-" : String.format(Locale.ROOT, "%.0f", n.commands / (double) window),
        nio == null ? "-" : String.format(Locale.ROOT, "%.0f", nio.commands / (double) window),
        j == null ? "-" : String.format(Locale.ROOT, "%.0f", j.commands / (double) window),
        BenchIo.percentile(w.freshness, 50),
        BenchIo.percentile(w.freshness, 99),
        BenchIo.percentile(w.freshness, 100),
        w.neverPolled,
        Report.scrapes(w.plain),
        Report.scrapes(w.prometheus),
        w.rssMaxKb / 1024.0,
        w.threadsMax,
        w.cpuSeconds / window * 100,
        died ? "exited" : String.format(Locale.ROOT, "%.0f", cost),
        Report.floorCost(cost, n),
        Report.floorCost(cost, nio),
        Report.floorCost(cost, j));
  }

  private Window runFloor(Path log, FleetLink agents, Set<String> healthy, String... command)
      throws Exception {
    Process floor = start(log, command);
    Thread.sleep(floorWarmup * 1000L);
    Window f =
        measure(
            floor, agents, null, healthy, log.resolveSibling(log.getFileName() + ".thread-cpu"));
    floor.waitFor(30, TimeUnit.SECONDS);
    stop(floor);
    return f;
  }

  /** One window of {@link #window} s on {@code process}; scrapes when {@code scraper} is set. */
  private Window measure(
      Process process, FleetLink agents, Scraper scraper, Set<String> healthy, Path threadCpu)
      throws Exception {
    long pid = process.pid();
    Window w = new Window();
    w.loadStart = Proc.load();
    var threads0 = Proc.threadTicks(pid);
    long cpu0;
    try {
      cpu0 = Proc.cpuTicks(pid);
    } catch (IOException e) {
      return w; // it ended before the window
    }
    long cpu1 = cpu0;
    long commands0 = agents.count();
    Map<String, Long> mix0 = agents.mix();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(window);
    long nextScrape = start + TimeUnit.SECONDS.toNanos(1);
    String lastBody = null;
    double lastAt = 0;
    while (System.nanoTime() < end && process.isAlive()) {
      w.rssMaxKb = Math.max(w.rssMaxKb, Proc.rssKb(pid));
      w.threadsMax = Math.max(w.threadsMax, Proc.threads(pid));
      if (scraper != null && System.nanoTime() >= nextScrape) {
        nextScrape += TimeUnit.SECONDS.toNanos(scrapeEvery);
        double at = System.currentTimeMillis() / 1000.0; // Prometheus stamps the scrape's start
        String body = scraper.scrape(true, w.prometheus);
        if (body != null) {
          lastBody = body;
          lastAt = at;
          Freshness.add(lastBody, lastAt, healthy, w.freshness, false);
        }
      }
      try {
        cpu1 = Proc.cpuTicks(pid);
      } catch (IOException e) {
        break; // the process ended
      }
      Thread.sleep(250);
    }
    try {
      cpu1 = Proc.cpuTicks(pid);
    } catch (IOException e) {
      // ended: the last reading stands
    }
    w.complete = System.nanoTime() >= end;
    w.cpuSeconds = (cpu1 - cpu0) / (double) ticksPerSecond;
    Files.write(
        threadCpu, Proc.threadCpu(threads0, Proc.threadTicks(pid), w.cpuSeconds, ticksPerSecond));
    w.commands = agents.count() - commands0;
    agents.mix().forEach((name, count) -> w.mix.put(name, count - mix0.getOrDefault(name, 0L)));
    w.loadEnd = Proc.load();
    if (lastBody != null) {
      w.neverPolled = Freshness.add(lastBody, lastAt, healthy, w.freshness, true);
    }
    for (int i = 0; scraper != null && process.isAlive() && i < scrapeBurst; i++) {
      w.rssMaxKb = Math.max(w.rssMaxKb, Proc.rssKb(pid));
      for (boolean prometheus : new boolean[] {false, true}) {
        double at = System.currentTimeMillis() / 1000.0;
        String body = scraper.scrape(prometheus, prometheus ? w.prometheus : w.plain);
        if (body != null && !prometheus && i == scrapeBurst - 1) {
          Files.writeString(threadCpu.resolveSibling("exporter-metrics.txt"), body); // for analysis
        }
        if (body != null) {
          Freshness.add(body, at, healthy, w.freshness, false);
        }
      }
      Thread.sleep(1000);
    }
    return w;
  }

  /** Scrapes as Prometheus would from the exporter's start (untimed), so the JIT saw it. */
  private void warmUp(Scraper scraper, Process exporter) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
    Window ignored = new Window();
    while (System.nanoTime() < end && exporter.isAlive()) {
      scraper.scrape(true, ignored.prometheus);
      long left = end - System.nanoTime();
      Thread.sleep(Math.max(0, Math.min(TimeUnit.NANOSECONDS.toMillis(left), scrapeEvery * 1000L)));
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

  /** True once /-/ready answers 200; false when the exporter exited first. */
  private static boolean awaitReady(Scraper scraper, Process exporter) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < end) {
      if (!exporter.isAlive()) {
        return false;
      }
      if (scraper.ok("/-/ready")) {
        return true;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the exporter was not ready within 120 s");
  }

  private static String required(Map<String, String> o, String key) {
    String v = o.get(key);
    if (v == null) {
      throw new IllegalArgumentException(key + " is required");
    }
    return v;
  }
}
