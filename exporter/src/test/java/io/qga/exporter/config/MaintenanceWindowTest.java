package io.qga.exporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class MaintenanceWindowTest {
  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  /** 2026-03-01 is a Sunday. */
  private static ZonedDateTime at(int day, int hour, int minute, ZoneId zone) {
    return ZonedDateTime.of(2026, 3, day, hour, minute, 0, 0, zone);
  }

  @Test
  void singleDay() {
    MaintenanceWindow w = MaintenanceWindow.parse("Sun 02:00-05:00");
    assertThat(w.days()).containsExactly(DayOfWeek.SUNDAY);
    assertThat(w.contains(at(1, 1, 59, UTC))).isFalse();
    assertThat(w.contains(at(1, 2, 0, UTC))).isTrue();
    assertThat(w.contains(at(1, 4, 59, UTC))).isTrue();
    assertThat(w.contains(at(1, 5, 0, UTC))).isFalse();
    assertThat(w.contains(at(2, 3, 0, UTC))).isFalse();
  }

  @Test
  void acrossMidnightBelongsToTheOpeningDay() {
    MaintenanceWindow w = MaintenanceWindow.parse("Mon-Fri 22:00-02:00");
    assertThat(w.length()).isEqualTo(Duration.ofHours(4));
    assertThat(w.contains(at(6, 23, 0, UTC))).as("Friday 23:00").isTrue();
    assertThat(w.contains(at(7, 1, 59, UTC))).as("Saturday 01:59, opened Friday").isTrue();
    assertThat(w.contains(at(7, 23, 0, UTC))).as("Saturday 23:00").isFalse();
    assertThat(w.contains(at(2, 1, 0, UTC))).as("Monday 01:00, Sunday did not open").isFalse();
    assertThat(w.contains(at(2, 22, 0, UTC))).as("Monday 22:00").isTrue();
  }

  @Test
  void dailyListsAndWholeDays() {
    assertThat(MaintenanceWindow.parse("daily 01:00-03:00").days()).hasSize(7);
    assertThat(MaintenanceWindow.parse("01:00-03:00").days()).hasSize(7);
    assertThat(MaintenanceWindow.parse("Sat,Sun 00:00-24:00").days())
        .containsExactlyInAnyOrder(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY);
    MaintenanceWindow whole = MaintenanceWindow.parse("sat,sun 00:00-24:00");
    assertThat(whole.contains(at(7, 0, 0, UTC))).isTrue();
    assertThat(whole.contains(at(8, 23, 59, UTC))).isTrue();
    assertThat(whole.contains(at(9, 0, 0, UTC))).isFalse();
    assertThat(MaintenanceWindow.parse("Fri-Mon 01:00-02:00").days()).hasSize(4);
    assertThat(MaintenanceWindow.parse("Sun 22:00-24:00").length()).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void wallClockInTheZoneOfTheTimeGiven() {
    MaintenanceWindow w = MaintenanceWindow.parse("Sun 02:00-05:00");
    ZonedDateTime utc = at(1, 1, 30, UTC); // 02:30 in Berlin (CET, UTC+1)
    assertThat(w.contains(utc)).isFalse();
    assertThat(w.contains(utc.withZoneSameInstant(BERLIN))).isTrue();
    // 2026-03-29: Berlin skips 02:00-03:00; the window still opens (at 03:00 local).
    ZonedDateTime dst = ZonedDateTime.of(2026, 3, 29, 3, 30, 0, 0, BERLIN);
    assertThat(w.contains(dst)).isTrue();
    assertThat(
            w.nextOpen(ZonedDateTime.of(2026, 3, 29, 0, 0, 0, 0, BERLIN)).toLocalTime().getHour())
        .isEqualTo(3);
  }

  @Test
  void nextOpen() {
    MaintenanceWindow w = MaintenanceWindow.parse("Sun 02:00-05:00");
    assertThat(w.nextOpen(at(1, 3, 0, UTC))).isEqualTo(at(1, 3, 0, UTC));
    assertThat(w.nextOpen(at(1, 5, 0, UTC))).isEqualTo(at(8, 2, 0, UTC));
    assertThat(w.nextOpen(at(4, 12, 0, UTC))).isEqualTo(at(8, 2, 0, UTC));
    assertThat(w.nextOpen(at(1, 1, 0, UTC))).isEqualTo(at(1, 2, 0, UTC));
    assertThat(w.closesAfter(at(1, 3, 0, UTC))).isEqualTo(at(1, 5, 0, UTC));
    assertThat(w.closesAfter(at(1, 6, 0, UTC))).isEqualTo(at(1, 6, 0, UTC));
    MaintenanceWindow night = MaintenanceWindow.parse("Fri 22:00-02:00");
    assertThat(night.closesAfter(at(7, 1, 0, UTC))).isEqualTo(at(7, 2, 0, UTC));
  }

  @Test
  void rejectsWindowsThatNeverOpenOrAreMalformed() {
    assertThatThrownBy(() -> MaintenanceWindow.parse("02:00-02:00"))
        .hasMessageContaining("never opens");
    assertThatThrownBy(() -> MaintenanceWindow.parse("Sun 00:00-00:00"))
        .hasMessageContaining("never opens");
    assertThatThrownBy(() -> MaintenanceWindow.parse("Sun 25:00-26:00"))
        .hasMessageContaining("is not a time of day");
    assertThatThrownBy(() -> MaintenanceWindow.parse("Sun 24:00-02:00"))
        .hasMessageContaining("is not a time of day");
    assertThatThrownBy(() -> MaintenanceWindow.parse("Funday 01:00-02:00"))
        .hasMessageContaining("'Funday' is not a day");
    assertThatThrownBy(() -> MaintenanceWindow.parse("Mon-Tue-Wed 01:00-02:00"))
        .hasMessageContaining("is not a day");
    assertThatThrownBy(() -> MaintenanceWindow.parse("Sun"))
        .hasMessageContaining("is not a window");
  }
}
