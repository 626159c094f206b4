package io.qga.bench;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** How {@link Bench} writes what a window saw: floor costs, scrape times, command mixes. */
final class Report {
  private Report() {}

  static String floorCost(double exporterCost, Window f) {
    if (f == null) {
      return "-";
    }
    double cost = f.cpuSeconds / Math.max(1, f.commands) * 1e6;
    return String.format(Locale.ROOT, "%.1f (%.1fx)", cost, exporterCost / cost);
  }

  static String scrapes(Scraper.Stats s) {
    if (s.millis.isEmpty()) {
      return "-";
    }
    return String.format(
        Locale.ROOT,
        "%.0f / %.0f%s, %.0f KiB",
        BenchIo.percentile(s.millis, 50),
        BenchIo.percentile(s.millis, 99),
        s.timeouts == 0 ? "" : " (" + s.timeouts + " over 30 s or failed)",
        s.bytes / 1024.0);
  }

  static String mixLine(String scenario, Window... windows) {
    Set<String> names = new TreeSet<>();
    for (Window w : windows) {
      if (w != null) {
        names.addAll(w.mix.keySet());
      }
    }
    StringBuilder b = new StringBuilder("- " + scenario + ":");
    for (String name : names) {
      b.append(' ').append(name);
      for (int i = 0; i < windows.length; i++) {
        b.append(i == 0 ? " " : " / ")
            .append(windows[i] == null ? "-" : windows[i].mix.getOrDefault(name, 0L));
      }
      b.append(';');
    }
    return b.toString();
  }
}
