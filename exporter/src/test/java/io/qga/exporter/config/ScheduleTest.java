package io.qga.exporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qga.exporter.policy.Rules;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every schedule form against fire times computed independently: each case states crontab(5)'s
 * meaning as a predicate on the local time, and the test walks every minute of 400 days and
 * compares the minutes the predicate accepts with the fire times Quartz computes from the
 * translation.
 */
class ScheduleTest {
  static final Instant START = Instant.parse("2027-12-01T00:00:00Z");
  static final int DAYS = 400; // covers every month, and 29 February 2028

  private static Arguments cron(String text, Predicate<LocalDateTime> runs) {
    return Arguments.of(text, ZoneId.of("UTC"), runs);
  }

  private static boolean at(LocalDateTime t, int hour, int minute) {
    return t.getHour() == hour && t.getMinute() == minute;
  }

  private static boolean dow(LocalDateTime t, DayOfWeek... days) {
    return Set.of(days).contains(t.getDayOfWeek());
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        cron("*/15 * * * *", t -> t.getMinute() % 15 == 0),
        cron(
            "23 0-20/2 * * *",
            t -> t.getMinute() == 23 && t.getHour() % 2 == 0 && t.getHour() <= 20),
        cron("0 3 * * 0", t -> at(t, 3, 0) && dow(t, DayOfWeek.SUNDAY)),
        cron("0 3 * * 7", t -> at(t, 3, 0) && dow(t, DayOfWeek.SUNDAY)),
        cron("0 3 * * sun", t -> at(t, 3, 0) && dow(t, DayOfWeek.SUNDAY)),
        cron("0 22 * * 1-5", t -> at(t, 22, 0) && t.getDayOfWeek().getValue() <= 5),
        cron("0 22 * * MON-FRI", t -> at(t, 22, 0) && t.getDayOfWeek().getValue() <= 5),
        cron("0 0 * * 5-7", t -> at(t, 0, 0) && t.getDayOfWeek().getValue() >= 5),
        cron("0 0 * * 0,6", t -> at(t, 0, 0) && dow(t, DayOfWeek.SATURDAY, DayOfWeek.SUNDAY)),
        cron(
            "0 0 * * */2",
            t ->
                at(t, 0, 0)
                    && dow(
                        t,
                        DayOfWeek.SUNDAY,
                        DayOfWeek.TUESDAY,
                        DayOfWeek.THURSDAY,
                        DayOfWeek.SATURDAY)),
        cron("0 0 */2 * *", t -> at(t, 0, 0) && t.getDayOfMonth() % 2 == 1),
        cron("15 14 1 * *", t -> at(t, 14, 15) && t.getDayOfMonth() == 1),
        cron("0 4 8-14 * *", t -> at(t, 4, 0) && t.getDayOfMonth() >= 8 && t.getDayOfMonth() <= 14),
        cron("59 23 31 * *", t -> at(t, 23, 59) && t.getDayOfMonth() == 31),
        cron("0 0 29 2 *", t -> at(t, 0, 0) && t.getDayOfMonth() == 29 && t.getMonthValue() == 2),
        cron(
            "0 0,12 1 */2 *",
            t ->
                (at(t, 0, 0) || at(t, 12, 0))
                    && t.getDayOfMonth() == 1
                    && t.getMonthValue() % 2 == 1),
        cron(
            "0 12 * JAN,jul *",
            t -> at(t, 12, 0) && (t.getMonthValue() == 1 || t.getMonthValue() == 7)),
        cron("5 0 * 8 *", t -> at(t, 0, 5) && t.getMonthValue() == 8),
        // both day fields restricted: EITHER matches (crontab(5)'s own example)
        cron(
            "30 4 1,15 * 5",
            t ->
                at(t, 4, 30)
                    && (t.getDayOfMonth() == 1
                        || t.getDayOfMonth() == 15
                        || dow(t, DayOfWeek.FRIDAY))),
        cron(
            "0 9 1 * sun",
            t -> at(t, 9, 0) && (t.getDayOfMonth() == 1 || dow(t, DayOfWeek.SUNDAY))),
        cron(
            "0 6 13 3-4 Fri",
            t ->
                at(t, 6, 0)
                    && t.getMonthValue() >= 3
                    && t.getMonthValue() <= 4
                    && (t.getDayOfMonth() == 13 || dow(t, DayOfWeek.FRIDAY))),
        // restricted but covering every day: the OR is every day
        cron("0 0 1-31 * MON", t -> at(t, 0, 0)),
        cron("@hourly", t -> t.getMinute() == 0),
        cron("@daily", t -> at(t, 0, 0)),
        cron("@midnight", t -> at(t, 0, 0)),
        cron("@weekly", t -> at(t, 0, 0) && dow(t, DayOfWeek.SUNDAY)),
        cron("@monthly", t -> at(t, 0, 0) && t.getDayOfMonth() == 1),
        cron("@yearly", t -> at(t, 0, 0) && t.getDayOfYear() == 1),
        cron("@ANNUALLY", t -> at(t, 0, 0) && t.getDayOfYear() == 1),
        // Quartz as before: seconds first, weekday 1 = Sunday
        cron("0 0 3 ? * SUN", t -> at(t, 3, 0) && dow(t, DayOfWeek.SUNDAY)),
        cron("0 0 3 ? * 1", t -> at(t, 3, 0) && dow(t, DayOfWeek.SUNDAY)),
        cron(
            "0 30 2 L * ?",
            t -> at(t, 2, 30) && t.getDayOfMonth() == t.toLocalDate().lengthOfMonth()),
        // the rule's zone (one without daylight saving, so every local minute exists once)
        Arguments.of(
            "0 3 * * 1",
            ZoneId.of("Asia/Kolkata"),
            (Predicate<LocalDateTime>) t -> at(t, 3, 0) && dow(t, DayOfWeek.MONDAY)));
  }

  @ParameterizedTest(name = "{0} in {1}")
  @MethodSource("cases")
  void fireTimesMatchTheMeaningMinuteByMinute(
      String text, ZoneId zone, Predicate<LocalDateTime> runs) {
    Instant end = START.plus(DAYS, ChronoUnit.DAYS);
    List<Instant> expected = new ArrayList<>();
    for (Instant t = START.plus(1, ChronoUnit.MINUTES);
        t.isBefore(end);
        t = t.plus(1, ChronoUnit.MINUTES)) {
      if (runs.test(LocalDateTime.ofInstant(t, zone))) {
        expected.add(t);
      }
    }
    assertThat(expected).as("the case itself fires").isNotEmpty();
    Schedule s = Schedule.parse(text);
    List<Instant> actual = new ArrayList<>();
    for (Instant t = s.nextAfter(zone, START).orElseThrow();
        t.isBefore(end);
        t = s.nextAfter(zone, t).orElseThrow()) {
      actual.add(t);
    }
    assertThat(actual).as(text + " read as " + s.describe()).isEqualTo(expected);
    // the policy engine's own entry point reads schedules the same way
    assertThat(Rules.nextFire(text, zone, START)).contains(expected.get(0));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          0 3 * * 0        | crontab, as Quartz "0 0 3 ? * SUN"
          30 4 1,15 * 5    | crontab, as Quartz "0 30 4 1,15 * ?" or "0 30 4 ? * FRI"
          0 0 * * 5-7      | crontab, as Quartz "0 0 0 ? * SUN,FRI-SAT"
          */10 9-17 * * 1-5 | crontab, as Quartz "0 0,10,20,30,40,50 9-17 ? * MON-FRI"
          @weekly          | crontab shorthand for "0 0 * * 0", as Quartz "0 0 0 ? * SUN"
          0 0 3 ? * SUN    | Quartz
          """)
  void describesTheTranslation(String text, String described) {
    assertThat(Schedule.parse(text).describe()).isEqualTo(described);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          0 0 */2 * MON           | "0 0 */2 * MON" (5 fields, read as a crontab line: minute hour day-of-month month day-of-week): day-of-month "*/2" and day-of-week "MON" are both restricted and one starts with '*', so cron runs only on days matching both; Quartz cannot express that. Write it as a Quartz expression (6 fields, seconds first) or restrict only one of the two fields
          0 3 * * 8               | "0 3 * * 8" (5 fields, read as a crontab line: minute hour day-of-month month day-of-week): day-of-week field "8": 8 is out of range (day-of-week is 0-7 or SUN-SAT)
          60 * * * *              | "60 * * * *" (5 fields, read as a crontab line: minute hour day-of-month month day-of-week): minute field "60": 60 is out of range (minute is 0-59)
          0 5-3 * * *             | "0 5-3 * * *" (5 fields, read as a crontab line: minute hour day-of-month month day-of-week): hour field "5-3": range "5-3" runs backwards (hour is 0-23)
          5/15 * * * *            | "5/15 * * * *" (5 fields, read as a crontab line: minute hour day-of-month month day-of-week): minute field "5/15": "5/15": a step needs a range or * before it (e.g. 5-59/15) (minute is 0-59)
          */0 * * * *             | "*/0 * * * *" (5 fields, read as a crontab line: minute hour day-of-month month day-of-week): minute field "*/0": step must be at least 1 in "*/0" (minute is 0-59)
          0 0 1 foo *             | "0 0 1 foo *" (5 fields, read as a crontab line: minute hour day-of-month month day-of-week): month field "foo": "foo" is not a value (month is 1-12 or JAN-DEC)
          0 0 1,,2 * *            | "0 0 1,,2 * *" (5 fields, read as a crontab line: minute hour day-of-month month day-of-week): day-of-month field "1,,2": empty list item (day-of-month is 1-31)
          0 3 * *                 | "0 3 * *" has 4 fields; a schedule is a 5-field crontab line (minute hour day-of-month month day-of-week, e.g. "0 3 * * 0"), a 6- or 7-field Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year], one of the day fields ?, e.g. "0 0 3 ? * SUN") or @hourly, @daily, @weekly, @monthly, @yearly
          @reboot                 | "@reboot" is not a schedule shorthand a policy can run on (there is no boot event; use when: {agent_connected: ...}); use one of @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually
          @fortnightly            | "@fortnightly" is not a schedule shorthand; use one of @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually
          """)
  void badInputIsRefusedWithAReason(String text, String message) {
    assertThatThrownBy(() -> Schedule.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void sixFieldsThatAreNeitherSayHowTheyWereRead() {
    // a crontab line with its command pasted in: 6 fields, so read as Quartz, and refused
    assertThatThrownBy(() -> Schedule.parse("0 3 * * * /usr/sbin/fstrim"))
        .hasMessageStartingWith("\"0 3 * * * /usr/sbin/fstrim\" is not a Quartz cron expression: ")
        .hasMessageEndingWith(
            "6 fields are read as Quartz, a crontab line has 5 fields and no seconds)");
  }

  @Test
  void configProblemsNameTheYamlPath() {
    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    """
                    policies:
                      - {name: a, schedule: "0 3 * * 0", action: {fstrim: {}}}
                      - {name: b, schedule: "0 0 */2 * MON", action: {fstrim: {}}}
                      - {name: c, schedule: "@weekly", action: {fstrim: {}}}
                      - {name: d, schedule: "0 0 31 2 *", action: {fstrim: {}}}
                    """,
                    Path.of("/")))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems().stream().map(ConfigProblem::toString))
                    .satisfiesExactly(
                        p ->
                            assertThat(p)
                                .startsWith(
                                    "/policies/1/schedule: \"0 0 */2 * MON\" (5 fields, read as a"
                                        + " crontab line"),
                        p ->
                            assertThat(p)
                                .isEqualTo("/policies/3/schedule: \"0 0 31 2 *\" never fires")));
  }
}
