package io.qga.exporter.config;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A weekly maintenance window in wall-clock time: {@code "Sun 02:00-05:00"}, {@code "Mon-Fri
 * 22:00-02:00"}, {@code "Sat,Sun 00:00-24:00"}, {@code "daily 01:00-03:00"}. The days are the days
 * the window opens; an end at or before the start closes on the next day (across midnight). The
 * zone is the one of the time passed in: convert to the rule's zone first.
 */
public final class MaintenanceWindow {
  static final String HINT =
      "use \"Sun 02:00-05:00\", \"Mon-Fri 22:00-02:00\", \"Sat,Sun 01:00-03:00\" or \"daily"
          + " 01:00-03:00\"";
  private static final Pattern FORM =
      Pattern.compile("(?:(\\S+)\\s+)?(\\d{1,2}):(\\d{2})\\s*-\\s*(\\d{1,2}):(\\d{2})");
  private static final Map<String, DayOfWeek> DAYS =
      Map.of(
          "mon", DayOfWeek.MONDAY,
          "tue", DayOfWeek.TUESDAY,
          "wed", DayOfWeek.WEDNESDAY,
          "thu", DayOfWeek.THURSDAY,
          "fri", DayOfWeek.FRIDAY,
          "sat", DayOfWeek.SATURDAY,
          "sun", DayOfWeek.SUNDAY);

  private final String text;
  private final Set<DayOfWeek> days;
  private final LocalTime start;
  private final Duration length;

  private MaintenanceWindow(String text, Set<DayOfWeek> days, LocalTime start, Duration length) {
    this.text = text;
    this.days = days;
    this.start = start;
    this.length = length;
  }

  /**
   * Parses a window; IllegalArgumentException says what is wrong (also: a window that never opens).
   */
  public static MaintenanceWindow parse(String text) {
    String s = text == null ? "" : text.trim();
    Matcher m = FORM.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException("\"" + text + "\" is not a window (" + HINT + ")");
    }
    Set<DayOfWeek> days = days(m.group(1), text);
    int startMinute = minute(m.group(2), m.group(3), text, false);
    int endMinute = minute(m.group(4), m.group(5), text, true);
    if (startMinute == endMinute) {
      throw new IllegalArgumentException(
          "\"" + text + "\" never opens (start equals end; for a whole day use 00:00-24:00)");
    }
    int lengthMinutes =
        endMinute > startMinute ? endMinute - startMinute : endMinute + 24 * 60 - startMinute;
    return new MaintenanceWindow(
        s,
        days,
        LocalTime.of(startMinute / 60, startMinute % 60),
        Duration.ofMinutes(lengthMinutes));
  }

  private static Set<DayOfWeek> days(String spec, String text) {
    if (spec == null || spec.equalsIgnoreCase("daily")) {
      return EnumSet.allOf(DayOfWeek.class);
    }
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    for (String part : spec.split(",")) {
      String[] range = part.split("-", -1);
      if (range.length > 2) {
        throw badDay(part, text);
      }
      DayOfWeek from = day(range[0], text);
      DayOfWeek to = range.length == 2 ? day(range[1], text) : from;
      for (DayOfWeek d = from; ; d = d.plus(1)) {
        days.add(d);
        if (d == to) {
          break;
        }
      }
    }
    return days;
  }

  private static DayOfWeek day(String name, String text) {
    DayOfWeek d = DAYS.get(name.toLowerCase(Locale.ROOT));
    if (d == null) {
      throw badDay(name, text);
    }
    return d;
  }

  private static IllegalArgumentException badDay(String name, String text) {
    return new IllegalArgumentException(
        "\""
            + text
            + "\": '"
            + name
            + "' is not a day (use Mon Tue Wed Thu Fri Sat Sun, ranges like Mon-Fri, lists like"
            + " Sat,Sun, or daily)");
  }

  private static int minute(String h, String m, String text, boolean end) {
    int hour = Integer.parseInt(h);
    int minute = Integer.parseInt(m);
    boolean midnightEnd = end && hour == 24 && minute == 0;
    if (!midnightEnd && (hour > 23 || minute > 59)) {
      throw new IllegalArgumentException(
          "\""
              + text
              + "\": "
              + h
              + ":"
              + m
              + " is not a time of day (00:00 to 23:59, or 24:00 as an end)");
    }
    return hour * 60 + minute;
  }

  /** True when the window is open at this instant, in the zone of {@code time}. */
  public boolean contains(ZonedDateTime time) {
    LocalDate today = time.toLocalDate();
    // A window that opened yesterday may still be open (across midnight).
    for (LocalDate day : new LocalDate[] {today.minusDays(1), today}) {
      if (days.contains(day.getDayOfWeek())) {
        ZonedDateTime open = ZonedDateTime.of(day, start, time.getZone());
        ZonedDateTime close =
            ZonedDateTime.of(LocalDateTime.of(day, start).plus(length), time.getZone());
        if (!time.isBefore(open) && time.isBefore(close)) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code from} when the window is open then, else the next time it opens (within a week). */
  public ZonedDateTime nextOpen(ZonedDateTime from) {
    if (contains(from)) {
      return from;
    }
    LocalDate today = from.toLocalDate();
    for (int i = 0; i <= 7; i++) {
      LocalDate day = today.plusDays(i);
      if (days.contains(day.getDayOfWeek())) {
        ZonedDateTime open = ZonedDateTime.of(day, start, from.getZone());
        if (open.isAfter(from)) {
          return open;
        }
      }
    }
    throw new IllegalStateException("window " + text + " has no days"); // parse forbids it
  }

  /** The end of the opening that contains {@code time}; {@code time} itself when closed. */
  public ZonedDateTime closesAfter(ZonedDateTime time) {
    LocalDate today = time.toLocalDate();
    for (LocalDate day : new LocalDate[] {today, today.minusDays(1)}) {
      if (days.contains(day.getDayOfWeek())) {
        ZonedDateTime open = ZonedDateTime.of(day, start, time.getZone());
        ZonedDateTime close =
            ZonedDateTime.of(LocalDateTime.of(day, start).plus(length), time.getZone());
        if (!time.isBefore(open) && time.isBefore(close)) {
          return close;
        }
      }
    }
    return time;
  }

  public Set<DayOfWeek> days() {
    return Set.copyOf(days);
  }

  public LocalTime start() {
    return start;
  }

  public Duration length() {
    return length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MaintenanceWindow w
        && w.days.equals(days)
        && w.start.equals(start)
        && w.length.equals(length);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(days, start, length);
  }

  /** The text as written in the config. */
  @Override
  public String toString() {
    return text;
  }
}
