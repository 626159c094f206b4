package io.qga.exporter.runtime;

import java.util.Locale;
import java.util.logging.Formatter;

/**
 * {@code --log.format} and config {@code log.format}: {@code plain} (the default: the format of the
 * shipped logging.properties), {@code logfmt} or {@code json}, one event per line each.
 */
public enum LogFormat {
  PLAIN,
  LOGFMT,
  JSON;

  /** The lower-case name, as written on the command line and in the config. */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * A fresh formatter for {@link StdoutHandler}; null for {@code plain}, which is the handler's own
   * formatter (whatever escaping it applies stays in force).
   */
  Formatter formatter() {
    return switch (this) {
      case PLAIN -> null;
      case LOGFMT -> new LogfmtFormatter();
      case JSON -> new JsonLogFormatter();
    };
  }

  /**
   * Parses a name (case-insensitive).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static LogFormat parse(String text) {
    for (LogFormat f : values()) {
      if (f.text().equalsIgnoreCase(text == null ? "" : text.trim())) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "\"" + text + "\" is not a log format; use one of " + LogLevel.names(values()));
  }
}
