package io.qga.exporter.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as config strings: one or more NUMBER+UNIT parts with units {@code ms s m h d}, e.g.
 * {@code 500ms}, {@code 15s}, {@code 2m}, {@code 1h30m}, {@code 1d}; {@code 0} alone is zero. At
 * most {@link #MAX} (3650d): longer ones overflow the clocks and timers they feed (an instant of
 * "now + 10^12 days", nanosecond deadlines), so they are refused where they are written.
 */
public final class Durations {
  static final String HINT = "use 500ms, 15s, 2m, 1h";
  private static final Pattern WHOLE = Pattern.compile("(\\d{1,12}(ms|s|m|h|d))+");
  private static final Pattern PART = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

  /** The longest duration accepted anywhere: ten years. */
  public static final Duration MAX = Duration.ofDays(3650);

  private Durations() {}

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException naming the text and the valid forms; "is negative" for a
   *     leading minus; "is longer than 3650d" above {@link #MAX}
   */
  public static Duration parse(String text) {
    String s = text == null ? "" : text.trim();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.startsWith("-") && WHOLE.matcher(s.substring(1)).matches()) {
      throw new IllegalArgumentException("\"" + text + "\" is negative (durations are >= 0)");
    }
    if (!WHOLE.matcher(s).matches()) {
      throw new IllegalArgumentException("\"" + text + "\" is not a duration (" + HINT + ")");
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(s);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
              });
      if (total.compareTo(MAX) > 0) { // checked per part: a sum of parts can never overflow
        throw tooLong(text);
      }
    }
    return total;
  }

  /** "is longer than 3650d", naming the text. */
  public static IllegalArgumentException tooLong(String text) {
    return new IllegalArgumentException(
        "\"" + text + "\" is longer than " + format(MAX) + " (the longest duration accepted)");
  }

  /**
   * The shortest config form of a duration, e.g. {@code 90s} -> {@code 1m30s}. Any duration,
   * however long (whole seconds and milliseconds are split apart, so nothing overflows).
   */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.isNegative()) {
      return "-" + format(d.negated());
    }
    StringBuilder b = new StringBuilder();
    long seconds = d.getSeconds();
    long[] sizes = {86_400L, 3_600L, 60L, 1L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (seconds >= sizes[i]) {
        b.append(seconds / sizes[i]).append(units[i]);
        seconds %= sizes[i];
      }
    }
    long ms = d.getNano() / 1_000_000;
    if (ms > 0 || b.length() == 0) {
      b.append(ms).append("ms");
    }
    return b.toString().toLowerCase(Locale.ROOT);
  }
}
