package io.qga.exporter.config;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * Translates a 5-field crontab line ({@code minute hour day-of-month month day-of-week}, as in
 * crontab(5)) into Quartz cron expressions with exactly the same fire times.
 *
 * <p>Each field is expanded to the set of values it names (lists, ranges, steps, month and weekday
 * names; weekday 0 and 7 are Sunday) and written back as an explicit Quartz list, so no difference
 * between the two dialects (Quartz counts weekdays from 1 = Sunday; {@code 5/15} means different
 * things) can leak through.
 *
 * <p>The two day fields follow cron's rule: when both are restricted (neither starts with {@code
 * *}) the job runs on days matching EITHER; Quartz has one expression per day field, so that case
 * becomes two expressions whose fire times are merged. When one of them starts with {@code *} cron
 * requires BOTH to match, which Quartz cannot say unless that field is a plain "every day": that
 * case is refused rather than run on a different schedule.
 */
final class Crontab {
  private static final String[] MONTHS = {
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
  };
  private static final String[] DAYS = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  private static final String[] QUARTZ_DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

  private Crontab() {}

  /** A parsed field: the values it names, and whether it was written starting with {@code *}. */
  private record Field(BitSet values, boolean star) {}

  /**
   * The Quartz expressions (one or two) that fire exactly when the crontab line does.
   *
   * @throws IllegalArgumentException naming the field and what is wrong with it
   */
  static List<String> toQuartz(String line) {
    String[] f = line.trim().split("\\s+");
    if (f.length != 5) {
      throw new IllegalArgumentException("a crontab line has 5 fields, got " + f.length);
    }
    Field minute = field(f[0], "minute", 0, 59, null);
    Field hour = field(f[1], "hour", 0, 23, null);
    Field dom = field(f[2], "day-of-month", 1, 31, null);
    Field month = field(f[3], "month", 1, 12, MONTHS);
    Field dow = field(f[4], "day-of-week", 0, 7, DAYS);
    if (dow.values().get(7)) { // 7 is Sunday too
      dow.values().set(0);
      dow.values().clear(7);
    }
    String head =
        "0 " + list(minute.values(), 0, 59, null) + " " + list(hour.values(), 0, 23, null) + " ";
    String monthText = list(month.values(), 1, 12, null);
    boolean everyDom = dom.values().cardinality() == 31;
    boolean everyDow = dow.values().cardinality() == 7;
    String domText = list(dom.values(), 1, 31, null);
    String dowText = list(dow.values(), 0, 6, QUARTZ_DAYS);
    if (dom.star() || dow.star()) {
      // cron: the day must match both fields
      if (everyDow) {
        return List.of(head + domText + " " + monthText + " ?");
      }
      if (everyDom) {
        return List.of(head + "? " + monthText + " " + dowText);
      }
      throw new IllegalArgumentException(
          "day-of-month \""
              + f[2]
              + "\" and day-of-week \""
              + f[4]
              + "\" are both restricted and one starts with '*', so cron runs only on days"
              + " matching both; Quartz cannot express that. Write it as a Quartz expression"
              + " (6 fields, seconds first) or restrict only one of the two fields");
    }
    // cron: both restricted, the day must match either field
    if (everyDom || everyDow) {
      return List.of(head + "* " + monthText + " ?");
    }
    return List.of(
        head + domText + " " + monthText + " ?", head + "? " + monthText + " " + dowText);
  }

  private static Field field(String text, String name, int min, int max, String[] names) {
    BitSet values = new BitSet(max + 1);
    for (String item : text.split(",", -1)) {
      try {
        item(values, item, min, max, names);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            name
                + " field \""
                + text
                + "\": "
                + e.getMessage()
                + " ("
                + name
                + " is "
                + min
                + "-"
                + max
                + (names == null
                    ? ""
                    : " or "
                        + names[0].toUpperCase(Locale.ROOT)
                        + "-"
                        + names[names.length - 1].toUpperCase(Locale.ROOT))
                + ")");
      }
    }
    return new Field(values, text.startsWith("*"));
  }

  private static void item(BitSet values, String item, int min, int max, String[] names) {
    if (item.isEmpty()) {
      throw new IllegalArgumentException("empty list item");
    }
    String range = item;
    int step = 1;
    int slash = item.indexOf('/');
    if (slash >= 0) {
      range = item.substring(0, slash);
      step = number(item.substring(slash + 1), "step");
      if (step < 1) {
        throw new IllegalArgumentException("step must be at least 1 in \"" + item + "\"");
      }
    }
    int from;
    int to;
    if (range.equals("*")) {
      from = min;
      to = max;
    } else {
      int dash = range.indexOf('-', 1);
      if (dash < 0) {
        if (slash >= 0) {
          throw new IllegalArgumentException(
              "\""
                  + item
                  + "\": a step needs a range or * before it (e.g. "
                  + range
                  + "-"
                  + max
                  + "/"
                  + step
                  + ")");
        }
        from = value(range, min, max, names);
        to = from;
      } else {
        from = value(range.substring(0, dash), min, max, names);
        to = value(range.substring(dash + 1), min, max, names);
        if (from > to) {
          throw new IllegalArgumentException("range \"" + range + "\" runs backwards");
        }
      }
    }
    for (int v = from; v <= to; v += step) {
      values.set(v);
    }
  }

  private static int value(String text, int min, int max, String[] names) {
    if (names != null) {
      for (int i = 0; i < names.length; i++) {
        if (names[i].equalsIgnoreCase(text)) {
          return min == 0 ? i : i + min;
        }
      }
    }
    int v = number(text, "value");
    if (v < min || v > max) {
      throw new IllegalArgumentException(v + " is out of range");
    }
    return v;
  }

  private static int number(String text, String what) {
    if (!text.matches("[0-9]{1,4}")) {
      throw new IllegalArgumentException("\"" + text + "\" is not a " + what);
    }
    return Integer.parseInt(text);
  }

  /** {@code values} as a Quartz list of ranges ({@code *} when every value is set). */
  private static String list(BitSet values, int min, int max, String[] names) {
    if (values.cardinality() == max - min + 1) {
      return "*";
    }
    List<String> parts = new ArrayList<>();
    int v = values.nextSetBit(min);
    while (v >= 0 && v <= max) {
      int end = values.nextClearBit(v) - 1;
      end = Math.min(end, max);
      String a = names == null ? Integer.toString(v) : names[v];
      String b = names == null ? Integer.toString(end) : names[end];
      parts.add(v == end ? a : a + "-" + b);
      v = values.nextSetBit(end + 1);
    }
    return String.join(",", parts);
  }
}
