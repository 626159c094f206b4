package io.qga.exporter.runtime;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.logging.Formatter;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;

/**
 * One log record, one line: the layout of {@link java.util.logging.SimpleFormatter} (its {@code
 * java.util.logging.SimpleFormatter.format} property) with every character that could end a line or
 * drive a terminal written as a visible escape. Log messages carry text the guest chose (agent
 * versions, error descriptions) and socket file names; escaping here, at the one place every record
 * passes, means no call site can forget it: a guest can neither forge a log line nor send terminal
 * escapes to whoever reads the log.
 *
 * <p>Escaped: C0 controls ({@code \n}, {@code \r}, {@code \t} by name, the others as {@code \xNN},
 * e.g. NUL {@code \x00}, ESC {@code \x1b}), DEL ({@code \x7f}), C1 controls ({@code \u0085}), the
 * Unicode line and paragraph separators ({@code \u2028}, {@code \u2029}) and unpaired surrogates
 * ({@code \ud800}). A backslash stays as it is (Windows paths stay readable), so an escape in the
 * log may also be text the guest sent; it is never a control character.
 *
 * <p>A thrown exception keeps its stack trace on the lines after the record, one frame per line, as
 * the JDK prints it; each exception's message (which may quote a guest's reply) is escaped like the
 * message.
 */
public final class LogLineFormatter extends Formatter {
  private static final String FORMAT_PROPERTY = "java.util.logging.SimpleFormatter.format";
  private static final String DEFAULT_FORMAT = "%1$tFT%1$tT.%1$tLZ %4$s %5$s%6$s%n";
  private static final String HEX = "0123456789abcdef";

  private final String format;

  public LogLineFormatter() {
    String configured = LogManager.getLogManager().getProperty(FORMAT_PROPERTY);
    this.format = configured == null || configured.isBlank() ? DEFAULT_FORMAT : configured;
  }

  @Override
  public String format(LogRecord record) {
    ZonedDateTime time = ZonedDateTime.ofInstant(record.getInstant(), ZoneId.systemDefault());
    String source =
        record.getSourceClassName() == null
            ? record.getLoggerName()
            : record.getSourceClassName()
                + (record.getSourceMethodName() == null ? "" : " " + record.getSourceMethodName());
    String thrown = "";
    if (record.getThrown() != null) {
      StringBuilder trace = new StringBuilder();
      appendThrowable(
          trace, record.getThrown(), "", Collections.newSetFromMap(new IdentityHashMap<>()));
      thrown = trace.toString();
    }
    return String.format(
        format,
        time,
        escape(source),
        escape(record.getLoggerName()),
        record.getLevel().getLocalizedName(),
        escape(formatMessage(record)),
        thrown);
  }

  /** {@code text} with every control character and unpaired surrogate as a visible escape. */
  public static String escape(String text) {
    if (text == null) {
      return null;
    }
    int first = firstToEscape(text);
    if (first < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
    for (int i = first; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i));
      } else if (!needsEscape(c)) {
        out.append(c);
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else if (c == '\t') {
        out.append("\\t");
      } else if (c < 0x80) {
        out.append("\\x").append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xF));
      } else {
        out.append("\\u");
        for (int shift = 12; shift >= 0; shift -= 4) {
          out.append(HEX.charAt((c >> shift) & 0xF));
        }
      }
    }
    return out.toString();
  }

  private static int firstToEscape(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (needsEscape(c)) {
        return i;
      }
    }
    return -1;
  }

  /** Controls (C0, DEL, C1), line/paragraph separators and surrogates (when not in a pair). */
  private static boolean needsEscape(char c) {
    return Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c);
  }

  /** As {@link Throwable#printStackTrace()}, with each message escaped. */
  private static void appendThrowable(
      StringBuilder out, Throwable t, String caption, Set<Throwable> seen) {
    String nl = System.lineSeparator();
    if (!seen.add(t)) {
      out.append(nl).append(caption).append("[CIRCULAR REFERENCE: ").append(escape(t.toString()));
      out.append(']');
      return;
    }
    out.append(nl).append(caption).append(escape(t.toString()));
    for (StackTraceElement frame : t.getStackTrace()) {
      out.append(nl).append("\tat ").append(escape(frame.toString()));
    }
    for (Throwable suppressed : t.getSuppressed()) {
      appendThrowable(out, suppressed, "\tSuppressed: ", seen);
    }
    if (t.getCause() != null) {
      appendThrowable(out, t.getCause(), "Caused by: ", seen);
    }
  }
}
