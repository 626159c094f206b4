package io.qga.exporter.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as config strings: one or more NUMBER+UNIT parts with units {@code ms s m h d}, e.g.
 * {@code 500ms}, {@code 15s}, {@code 2m}, {@code 1h30m}, {@code 1d}; {@code 0} alone is zero.
 */
public final class Durations {
  static final String HINT = "use 500ms, 15s, 2m, 1h";
  private static final Pattern WHOLE = Pattern.compile("(\\d{1,12}(ms|s|m|h|d))+");
  private static final Pattern PART = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

  private Durations() {}

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException naming the text and the valid forms; "is negative" for a
   *     leading minus
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
    }
    return total;
  }

  /** The shortest config form of a duration, e.g. {@code 90s} -> {@code 1m30s}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    long ms = d.toMillis();
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
    String[] units = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < sizes.length; i++) {
      if (ms >= sizes[i]) {
        b.append(ms / sizes[i]).append(units[i]);
        ms %= sizes[i];
      }
    }
    return b.toString().toLowerCase(Locale.ROOT);
  }
}
