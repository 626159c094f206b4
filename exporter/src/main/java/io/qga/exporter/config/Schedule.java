package io.qga.exporter.config;

import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import org.quartz.CronExpression;

/**
 * A policy's {@code schedule}, in any of the three ways operators write one:
 *
 * <ul>
 *   <li>a Quartz cron expression, 6 or 7 fields, seconds first ({@code "0 0 3 ? * SUN"});
 *   <li>a crontab line, 5 fields ({@code "0 3 * * 0"}), with crontab(5)'s meaning, translated by
 *       {@link Crontab} into one or two Quartz expressions;
 *   <li>{@code @hourly}, {@code @daily} (= {@code @midnight}), {@code @weekly}, {@code @monthly},
 *       {@code @yearly} (= {@code @annually}), the crontab(5) shorthands.
 * </ul>
 *
 * The fire times are those of the Quartz expressions, merged, in the policy's zone.
 */
public final class Schedule {
  /** The shorthands, as crontab(5) defines them. */
  static final Map<String, String> MACROS =
      Map.of(
          "@hourly", "0 * * * *",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@weekly", "0 0 * * 0",
          "@monthly", "0 0 1 * *",
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *");

  static final String FORMS =
      "a schedule is a 5-field crontab line (minute hour day-of-month month day-of-week, e.g. \"0 3"
          + " * * 0\"), a 6- or 7-field Quartz cron expression (seconds minutes hours day-of-month"
          + " month day-of-week [year], one of the day fields ?, e.g. \"0 0 3 ? * SUN\") or"
          + " @hourly, @daily, @weekly, @monthly, @yearly";

  private final String text;
  private final String syntax;
  private final List<String> quartz;

  private Schedule(String text, String syntax, List<String> quartz) {
    this.text = text;
    this.syntax = syntax;
    this.quartz = List.copyOf(quartz);
  }

  /**
   * Reads a schedule.
   *
   * @throws IllegalArgumentException with a message that quotes the text and says which form it was
   *     read as and what is wrong
   */
  public static Schedule parse(String text) {
    String t = text == null ? "" : text.trim();
    if (t.startsWith("@")) {
      String line = MACROS.get(t.toLowerCase(Locale.ROOT));
      if (line == null) {
        throw new IllegalArgumentException(
            "\""
                + t
                + "\" is not a schedule shorthand"
                + (t.equalsIgnoreCase("@reboot")
                    ? " a policy can run on (there is no boot event; use when: {agent_connected:"
                        + " ...})"
                    : "")
                + "; use one of @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually");
      }
      return new Schedule(t, "crontab shorthand for \"" + line + "\"", Crontab.toQuartz(line));
    }
    String[] fields = t.isEmpty() ? new String[0] : t.split("\\s+");
    if (fields.length == 5) {
      try {
        return new Schedule(t, "crontab", Crontab.toQuartz(t));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "\""
                + t
                + "\" (5 fields, read as a crontab line: minute hour day-of-month month"
                + " day-of-week): "
                + e.getMessage());
      }
    }
    if (fields.length == 6 || fields.length == 7) {
      try {
        new CronExpression(t);
      } catch (ParseException e) {
        throw new IllegalArgumentException(
            "\""
                + t
                + "\" is not a Quartz cron expression: "
                + e.getMessage()
                + " (fields: seconds minutes hours day-of-month month day-of-week [year], one of"
                + " day-of-month/day-of-week is ?, e.g. \"0 0 3 ? * SUN\"; "
                + fields.length
                + " fields are read as Quartz, a crontab line has 5 fields and no seconds)");
      }
      return new Schedule(t, "Quartz", List.of(t));
    }
    throw new IllegalArgumentException("\"" + t + "\" has " + fields.length + " fields; " + FORMS);
  }

  /**
   * The next fire time strictly after {@code after}, in {@code zone}; empty when it never fires.
   */
  public Optional<Instant> nextAfter(ZoneId zone, Instant after) {
    Instant best = null;
    for (String q : quartz) {
      CronExpression e;
      try {
        e = new CronExpression(q);
      } catch (ParseException ex) {
        throw new IllegalStateException("translated schedule \"" + q + "\" does not parse", ex);
      }
      e.setTimeZone(TimeZone.getTimeZone(zone));
      Date next = e.getNextValidTimeAfter(Date.from(after));
      if (next != null && (best == null || next.toInstant().isBefore(best))) {
        best = next.toInstant();
      }
    }
    return Optional.ofNullable(best);
  }

  /** The next {@code count} fire times after {@code after} (fewer when it stops firing). */
  public List<Instant> next(ZoneId zone, Instant after, int count) {
    List<Instant> out = new ArrayList<>();
    Instant t = after;
    while (out.size() < count) {
      Optional<Instant> n = nextAfter(zone, t);
      if (n.isEmpty()) {
        break;
      }
      out.add(n.get());
      t = n.get();
    }
    return out;
  }

  /** The Quartz expressions whose merged fire times are this schedule's. */
  public List<String> quartz() {
    return quartz;
  }

  /** How the text was read, e.g. {@code crontab, as Quartz "0 0 3 ? * SUN"}. */
  public String describe() {
    if (syntax.equals("Quartz")) {
      return "Quartz";
    }
    return syntax + ", as Quartz \"" + String.join("\" or \"", quartz) + "\"";
  }

  @Override
  public String toString() {
    return text;
  }
}
