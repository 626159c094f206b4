package io.qga.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What the benchmark reads of a process in {@code /proc}: CPU ticks, RSS, threads. */
final class Proc {
  private Proc() {}

  /** utime + stime of the process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
  static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** VmRSS in KiB, 0 when the process is gone. */
  static long rssKb(long pid) {
    return status(pid, "VmRSS:");
  }

  /** Threads of the process, 0 when it is gone. */
  static long threads(long pid) {
    return status(pid, "Threads:");
  }

  private static long status(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // the process ended
    }
    return 0;
  }

  /**
   * CPU ticks (utime + stime) per live thread, keyed by thread id, with the thread's name ({@code
   * comm}: the JVM sets it to the Java thread's name, cut to 15 characters).
   */
  static Map<Long, Map.Entry<String, Long>> threadTicks(long pid) {
    Map<Long, Map.Entry<String, Long>> out = new HashMap<>();
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out.put(
              Long.parseLong(task.getFileName().toString()),
              Map.entry(name, Long.parseLong(f[11]) + Long.parseLong(f[12])));
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      // the process ended
    }
    return out;
  }

  /**
   * CPU seconds per thread group between two {@link #threadTicks} readings, largest first; a group
   * is the thread name without its digits ({@code qga-poll-17} and {@code qga-poll-3} are one).
   * Threads that ended in between are missing; the last line says how much that is.
   */
  static List<String> threadCpu(
      Map<Long, Map.Entry<String, Long>> before,
      Map<Long, Map.Entry<String, Long>> after,
      double processSeconds,
      long ticksPerSecond) {
    Map<String, double[]> groups = new HashMap<>();
    double seen = 0;
    for (var e : after.entrySet()) {
      var was = before.get(e.getKey());
      long ticks = e.getValue().getValue() - (was == null ? 0 : was.getValue());
      double[] g =
          groups.computeIfAbsent(
              e.getValue().getKey().replaceAll("[0-9]+", "#"), k -> new double[2]);
      g[0] += ticks / (double) ticksPerSecond;
      g[1]++;
      seen += ticks / (double) ticksPerSecond;
    }
    List<String> lines = new ArrayList<>();
    groups.entrySet().stream()
        .sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
        .forEach(
            e ->
                lines.add(
                    String.format(
                        Locale.ROOT,
                        "%8.2f s %5.1f %%  %4d threads  %s",
                        e.getValue()[0],
                        processSeconds > 0 ? 100 * e.getValue()[0] / processSeconds : 0,
                        (int) e.getValue()[1],
                        e.getKey())));
    lines.add(
        String.format(
            Locale.ROOT,
            "%8.2f s of %.2f s: threads that ended in the window",
            processSeconds - seen,
            processSeconds));
    return lines;
  }

  static long clockTicks() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
    p.waitFor();
    return out.isEmpty() ? 100 : Long.parseLong(out);
  }

  /** The 1-minute load average, as /proc/loadavg says. */
  static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }
}
