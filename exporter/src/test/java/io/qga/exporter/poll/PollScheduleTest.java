package io.qga.exporter.poll;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
  void everyDomainIsDueOncePerIntervalAtItsOwnTurn() {
    for (long intervalMillis : new long[] {100, 1500, 15_000, 300_000}) {
      Duration interval = Duration.ofMillis(intervalMillis);
      long tick = Math.min(intervalMillis, 1000);
      for (String domain : new String[] {"web-1", "db", "vm-77"}) {
        long offset = PollSchedule.offsetMillis(domain, interval);
        assertThat(PollSchedule.offsetMillis(domain, interval)).isEqualTo(offset); // stable
        long start = 1_767_225_600_000L; // 2026-01-01T00:00Z, on a tick
        int due = 0;
        for (long t = start + tick; t <= start + 10 * intervalMillis; t += tick) {
          boolean isDue = PollSchedule.isDue(domain, interval, tick, t);
          assertThat(PollSchedule.isDue(PollSchedule.phase(domain), intervalMillis, tick, t))
              .as("the cached phase gives the same turn")
              .isEqualTo(isDue);
          if (isDue) {
            due++;
            long late = Math.floorMod(t - offset, intervalMillis);
            assertThat(late).as("%s polled at most a tick after its turn", domain).isLessThan(tick);
          }
        }
        assertThat(due).as("%s due per interval of %d ms", domain, intervalMillis).isEqualTo(10);
      }
    }
  }

  @Test
  void differentDomainsGetDifferentOffsets() {
    Duration interval = Duration.ofSeconds(15);
    assertThat(PollSchedule.offsetMillis("web-1", interval))
        .isNotEqualTo(PollSchedule.offsetMillis("web-2", interval));
  }
}
