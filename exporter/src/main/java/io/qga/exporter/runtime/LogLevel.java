package io.qga.exporter.runtime;

import java.util.Arrays;
import java.util.Locale;
import java.util.logging.Level;
import java.util.stream.Collectors;

/** {@code --log.level} and config {@code log.level}: the names operators know from Prometheus. */
public enum LogLevel {
  ERROR(Level.SEVERE),
  WARN(Level.WARNING),
  INFO(Level.INFO),
  DEBUG(Level.FINE);

  private final Level jul;

  LogLevel(Level jul) {
    this.jul = jul;
  }

  /** The java.util.logging level this name switches the root logger to. */
  public Level jul() {
    return jul;
  }

  /** The lower-case name, as written on the command line and in the config. */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a name (case-insensitive).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static LogLevel parse(String text) {
    for (LogLevel l : values()) {
      if (l.text().equalsIgnoreCase(text == null ? "" : text.trim())) {
        return l;
      }
    }
    throw new IllegalArgumentException(
        "\"" + text + "\" is not a log level; use one of " + names(values()));
  }

  /** The name a log line shows for a java.util.logging level (FINE and below are debug). */
  static String of(Level level) {
    int v = level.intValue();
    if (v >= Level.SEVERE.intValue()) {
      return "error";
    }
    if (v >= Level.WARNING.intValue()) {
      return "warn";
    }
    if (v >= Level.INFO.intValue()) {
      return "info";
    }
    return "debug";
  }

  static String names(Enum<?>[] values) {
    return Arrays.stream(values)
        .map(v -> v.name().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(", "));
  }
}
