package io.qga.exporter.poll;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PollScheduleTest {

  @Test
  void domainsAreSpreadOverTheInterval() {
    Duration interval = Duration.ofSeconds(15);
    int[] buckets = new int[10];
    for (int i = 0; i < 1000; i++) {
      long offset = PollSchedule.offsetMillis("vm-" + i, interval);
      assertThat(offset).isBetween(0L, interval.toMillis() - 1);
      buckets[(int) (offset * 10 / interval.toMillis())]++;
    }
    // 100 per bucket when perfectly even; no herd anywhere, in particular not at :00
    for (int n : buckets) {
      assertThat(n).isBetween(60, 140);
    }
  }

  @Test
  void theOffsetIsStableAndTheFirstFireKeepsThePhase() {
    Duration interval = Duration.ofSeconds(60);
    long offset = PollSchedule.offsetMillis("web-1", interval);
    assertThat(PollSchedule.offsetMillis("web-1", interval)).isEqualTo(offset);

    Instant now = Instant.parse("2026-01-01T10:00:07.123Z");
    Instant first = PollSchedule.firstFire("web-1", interval, now);
    assertThat(first).isAfterOrEqualTo(now).isBefore(now.plus(interval));
    assertThat(Math.floorMod(first.toEpochMilli() - offset, interval.toMillis())).isZero();
    // a restart (or reload) later keeps the same phase
    Instant later = PollSchedule.firstFire("web-1", interval, now.plusSeconds(3600 + 17));
    assertThat(Math.floorMod(later.toEpochMilli() - first.toEpochMilli(), interval.toMillis()))
        .isZero();
  }

  @Test
  void differentDomainsGetDifferentOffsets() {
    Duration interval = Duration.ofSeconds(15);
    assertThat(PollSchedule.offsetMillis("web-1", interval))
        .isNotEqualTo(PollSchedule.offsetMillis("web-2", interval));
  }
}
