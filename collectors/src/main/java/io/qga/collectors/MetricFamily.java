package io.qga.collectors;

import java.util.Objects;

/**
 * The fixed part of a metric: name (without {@code _total} for counters), type, HELP text and
 * base unit (null when the metric has none). Declared once as a constant by each collector.
 */
public record MetricFamily(String name, Type type, String help, String unit) {

  public enum Type {
    GAUGE,
    COUNTER
  }

  public MetricFamily {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(help, "help");
    if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
      throw new IllegalArgumentException("invalid metric name: " + name);
    }
    if (type == Type.COUNTER && name.endsWith("_total")) {
      throw new IllegalArgumentException("counter name must not end with _total: " + name);
    }
  }

  public static MetricFamily gauge(String name, String help) {
    return new MetricFamily(name, Type.GAUGE, help, null);
  }

  public static MetricFamily gauge(String name, String help, String unit) {
    return new MetricFamily(name, Type.GAUGE, help, unit);
  }

  public static MetricFamily counter(String name, String help, String unit) {
    return new MetricFamily(name, Type.COUNTER, help, unit);
  }
}
