package io.qga.collectors;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The fixed part of a metric: name (without {@code _total} for counters), type, HELP text, base
 * unit (null when the metric has none) and label names (never {@code domain}: {@link Exposition}
 * adds it first). Declared once as a constant by each collector, so label names never come from the
 * guest.
 */
public record MetricFamily(
    String name, Type type, String help, String unit, List<String> labelNames) {

  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /** The label {@link Exposition} puts on every per-domain series. */
  public static final String DOMAIN = "domain";

  public enum Type {
    GAUGE,
    COUNTER
  }

  public MetricFamily {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(help, "help");
    labelNames = List.copyOf(labelNames);
    if (!METRIC_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid metric name: " + name);
    }
    if (type == Type.COUNTER && name.endsWith("_total")) {
      throw new IllegalArgumentException("counter name must not end with _total: " + name);
    }
    if (unit != null && !name.endsWith("_" + unit)) {
      throw new IllegalArgumentException(name + ": name must end with its unit _" + unit);
    }
    var seen = new HashSet<String>();
    for (String label : labelNames) {
      if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
        throw new IllegalArgumentException(name + ": invalid label name: " + label);
      }
      if (label.equals(DOMAIN)) {
        throw new IllegalArgumentException(name + ": label domain is added by the exposition");
      }
      if (!seen.add(label)) {
        throw new IllegalArgumentException(name + ": duplicate label name: " + label);
      }
    }
  }

  public static MetricFamily gauge(String name, String help, String... labelNames) {
    return new MetricFamily(name, Type.GAUGE, help, null, List.of(labelNames));
  }

  /** A gauge in a base unit ({@code bytes}, {@code seconds}); the name ends with it. */
  public static MetricFamily gaugeIn(String unit, String name, String help, String... labelNames) {
    return new MetricFamily(name, Type.GAUGE, help, unit, List.of(labelNames));
  }

  /** A counter; {@code unit} may be null (packets, errors). The exposition adds {@code _total}. */
  public static MetricFamily counter(String unit, String name, String help, String... labelNames) {
    return new MetricFamily(name, Type.COUNTER, help, unit, List.of(labelNames));
  }
}
