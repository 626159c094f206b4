package io.qga.exporter.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as config strings: {@code 512B}, {@code 64KiB}, {@code 10MiB}, {@code 1GiB}. */
public final class Sizes {
  static final String HINT = "use 512B, 64KiB, 10MiB, 1GiB";
  private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(B|KiB|MiB|GiB)");

  private Sizes() {}

  /** Parses a size; throws IllegalArgumentException naming the text and the valid forms. */
  public static long parse(String text) {
    String s = text == null ? "" : text.trim();
    if (s.startsWith("-") && SIZE.matcher(s.substring(1)).matches()) {
      throw new IllegalArgumentException("\"" + text + "\" is negative (sizes are >= 0)");
    }
    Matcher m = SIZE.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException("\"" + text + "\" is not a size (" + HINT + ")");
    }
    long n = Long.parseLong(m.group(1));
    int shift =
        switch (m.group(2)) {
          case "KiB" -> 10;
          case "MiB" -> 20;
          case "GiB" -> 30;
          default -> 0;
        };
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException("\"" + text + "\" is too large");
    }
    return n << shift;
  }
}
