package io.qga.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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
