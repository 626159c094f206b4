package io.qga.collectors;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

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
   * A family's fixed part of every sample line, made once per family: the name ({@code _total} for
   * a counter) with the opening brace, and each label's {@code name="} in the order client_java
   * writes them (label names sorted, {@code domain} among them).
   */
  static final class LineShape {
    final MetricFamily family;
    final byte[] prefix;

    /** Index into the label values for each written label; -1 is {@code domain}. */
    final int[] order;

    /** {@code name="} of each written label, with the comma before all but the first. */
    final byte[][] labelStarts;

    private LineShape(MetricFamily family) {
      this.family = family;
      String name =
          family.type() == MetricFamily.Type.COUNTER ? family.name() + "_total" : family.name();
      prefix = (name + "{").getBytes(StandardCharsets.UTF_8);
      List<String> names = new ArrayList<>(family.labelNames());
      names.add(MetricFamily.DOMAIN);
      List<String> sorted = new ArrayList<>(names);
      Collections.sort(sorted); // String order, as client_java sorts label names
      order = new int[sorted.size()];
      labelStarts = new byte[sorted.size()][];
      for (int i = 0; i < sorted.size(); i++) {
        String label = sorted.get(i);
        order[i] = label.equals(MetricFamily.DOMAIN) ? -1 : family.labelNames().indexOf(label);
        labelStarts[i] = ((i > 0 ? "," : "") + label + "=\"").getBytes(StandardCharsets.UTF_8);
      }
    }
  }

  /** Shapes by metric name; a family declared twice under one name gets its own, uncached. */
  private static final ConcurrentHashMap<String, LineShape> SHAPES = new ConcurrentHashMap<>();

  static LineShape shape(MetricFamily family) {
    LineShape shape = SHAPES.computeIfAbsent(family.name(), n -> new LineShape(family));
    return shape.family.equals(family) ? shape : new LineShape(family);
  }

  /** A label value as it stands between the quotes, UTF-8: the domain's, made once per poll. */
  static byte[] labelValue(String value) {
    TextBytes out = new TextBytes(value.length());
    out.labelValue(value);
    return out.toArray();
  }

  /**
   * Appends one sample line: the name, the labels in name order with {@code domain} among them, the
   * value.
   *
   * @param domain the domain's label value, escaped ({@link #labelValue})
   * @param labelValues one per {@code shape.family.labelNames()}, in that order
   */
  static void sample(
      TextBytes out, LineShape shape, byte[] domain, List<String> labelValues, double value) {
    out.write(shape.prefix);
    for (int i = 0; i < shape.order.length; i++) {
      out.write(shape.labelStarts[i]);
      int k = shape.order[i];
      if (k < 0) {
        out.write(domain);
      } else {
        out.labelValue(labelValues.get(k));
      }
      out.write('"');
    }
    out.write('}');
    out.write(' ');
    if (value == Double.POSITIVE_INFINITY) {
      out.ascii("+Inf");
    } else if (value == Double.NEGATIVE_INFINITY) {
      out.ascii("-Inf");
    } else {
      out.ascii(Double.toString(value)); // as client_java
    }
    out.write('\n');
  }

  static void escapeLabelValue(StringBuilder out, String value) {
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
