package io.qga.collectors;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The per-domain series in the two text formats Prometheus scrapes, byte for byte as client_java
 * 1.10's {@code PrometheusTextFormatWriter} and {@code OpenMetricsTextFormatWriter} write them
 * (ExpositionTest checks both against those writers). Sample lines are the same in both formats;
 * only the family headers differ.
 *
 * <p>Why not client_java's writers for these: at a thousand domains a scrape has ~80 000 data
 * points, and building, sorting and validating their label sets on every scrape, then formatting
 * every value again, cost about half a second of CPU per scrape on a 2-core host
 * (bench/RESULTS.md). These lines are written once per poll instead and copied on every scrape.
 * Everything else on {@code /metrics} still comes from client_java.
 */
public final class SeriesText {
  private SeriesText() {}

  /** The text formats, by what a scraper accepts. */
  public enum Format {
    /** Prometheus text 0.0.4. */
    PROMETHEUS,
    /** OpenMetrics 1.0.0 (without the final {@code # EOF}, which the whole page ends with). */
    OPENMETRICS
  }

  /** The HELP/TYPE (and, in OpenMetrics, UNIT) lines that open the family. */
  public static void header(OutputStream out, MetricFamily family, Format format)
      throws IOException {
    StringBuilder s = new StringBuilder(family.help().length() + 3 * family.name().length() + 40);
    boolean counter = family.type() == MetricFamily.Type.COUNTER;
    String type = counter ? "counter" : "gauge";
    if (format == Format.PROMETHEUS) {
      String name = counter ? family.name() + "_total" : family.name();
      s.append("# HELP ").append(name).append(' ');
      escapeHelp(s, family.help(), false);
      s.append("\n# TYPE ").append(name).append(' ').append(type).append('\n');
    } else {
      s.append("# TYPE ").append(family.name()).append(' ').append(type).append('\n');
      if (family.unit() != null) {
        s.append("# UNIT ").append(family.name()).append(' ').append(family.unit()).append('\n');
      }
      s.append("# HELP ").append(family.name()).append(' ');
      escapeHelp(s, family.help(), true);
      s.append('\n');
    }
    out.write(s.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Appends one sample line: the name ({@code _total} for a counter), the labels in name order with
   * {@code domain} among them, the value.
   *
   * @param labelValues one per {@code family.labelNames()}, in that order
   */
  public static void sample(
      StringBuilder out,
      MetricFamily family,
      String domain,
      List<String> labelValues,
      double value) {
    out.append(family.name());
    if (family.type() == MetricFamily.Type.COUNTER) {
      out.append("_total");
    }
    List<String> names = family.labelNames();
    int n = names.size() + 1;
    // Label names sorted as client_java sorts them; a family has at most a handful.
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
      for (int j = i;
          j > 0 && name(names, order[j]).compareTo(name(names, order[j - 1])) < 0;
          j--) {
        int t = order[j];
        order[j] = order[j - 1];
        order[j - 1] = t;
      }
    }
    out.append('{');
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        out.append(',');
      }
      int k = order[i];
      out.append(name(names, k)).append("=\"");
      escapeLabelValue(out, k == 0 ? domain : labelValues.get(k - 1));
      out.append('"');
    }
    out.append("} ");
    if (value == Double.POSITIVE_INFINITY) {
      out.append("+Inf");
    } else if (value == Double.NEGATIVE_INFINITY) {
      out.append("-Inf");
    } else {
      out.append(value); // Double.toString, as client_java
    }
    out.append('\n');
  }

  /** Index 0 is {@code domain}, then the family's own label names. */
  private static String name(List<String> names, int index) {
    return index == 0 ? MetricFamily.DOMAIN : names.get(index - 1);
  }

  private static void escapeLabelValue(StringBuilder out, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        default -> out.append(c);
      }
    }
  }

  private static void escapeHelp(StringBuilder out, String help, boolean quotes) {
    for (int i = 0; i < help.length(); i++) {
      char c = help.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '"' -> out.append(quotes ? "\\\"" : "\"");
        default -> out.append(c);
      }
    }
  }
}
