package io.qga.exporter.runtime;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One logfmt line per record: {@code ts=... level=info logger=Poller msg="..."} and, with an
 * exception, {@code err="..."} and {@code stack="..."}. Values with a space, {@code =}, a quote, a
 * backslash or any control character are quoted and escaped ({@code \n}, {@code \"}, {@code \\},
 * {@code \}{@code u001b}...), so a message (which may carry text a guest chose) can neither end the
 * line nor send terminal escapes.
 */
final class LogfmtFormatter extends Formatter {
  static final DateTimeFormatter TS = DateTimeFormatter.ISO_INSTANT;

  @Override
  public String format(LogRecord record) {
    StringBuilder line = new StringBuilder(160);
    pair(line, "ts", TS.format(millis(record)));
    pair(line, "level", LogLevel.of(record.getLevel()));
    pair(line, "logger", shortName(record.getLoggerName()));
    pair(line, "msg", formatMessage(record));
    if (record.getThrown() != null) {
      pair(line, "err", String.valueOf(record.getThrown()));
      pair(line, "stack", stack(record.getThrown()));
    }
    return line.append('\n').toString();
  }

  private static void pair(StringBuilder line, String key, String value) {
    if (line.length() > 0) {
      line.append(' ');
    }
    line.append(key).append('=');
    value(line, value == null ? "" : value);
  }

  /** Appends {@code value} bare when that is unambiguous, else quoted and escaped. */
  static void value(StringBuilder out, String value) {
    if (!needsQuotes(value)) {
      out.append(value);
      return;
    }
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (unsafe(c)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static boolean needsQuotes(String value) {
    if (value.isEmpty()) {
      return true;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == ' ' || c == '=' || c == '"' || c == '\\' || unsafe(c)) {
        return true;
      }
    }
    return false;
  }

  /**
   * C0 and C1 controls, DEL, the Unicode line and paragraph separators and lone surrogates: none
   * may reach a terminal or a line-based log shipper raw.
   */
  static boolean unsafe(char c) {
    return c < 0x20
        || (c >= 0x7f && c <= 0x9f)
        || c == '\u2028'
        || c == '\u2029'
        || Character.isSurrogate(c);
  }

  static Instant millis(LogRecord record) {
    return Instant.ofEpochMilli(record.getInstant().toEpochMilli());
  }

  static String shortName(String logger) {
    if (logger == null) {
      return "";
    }
    int dot = logger.lastIndexOf('.');
    return dot < 0 ? logger : logger.substring(dot + 1);
  }

  static String stack(Throwable t) {
    StringWriter s = new StringWriter();
    t.printStackTrace(new PrintWriter(s));
    return s.toString().stripTrailing();
  }
}
