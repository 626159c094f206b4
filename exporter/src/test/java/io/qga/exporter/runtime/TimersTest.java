package io.qga.exporter.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TimersTest {
  static void await(java.util.function.BooleanSupplier condition, Duration within)
      throws InterruptedException {
    long end = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within " + within);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void aOneShotWhoseTimePassedWhileNothingCouldFireFiresOnceAsSoonAsItCan() throws Exception {
    // a stalled host: the scheduler fires nothing while the one-shot's time passes, well beyond
    // the misfire threshold. With "next with remaining count" Quartz would drop the trigger.
    try (Timers timers = Timers.create("test")) {
      AtomicInteger fired = new AtomicInteger();
      timers.once("deadline", Duration.ofMillis(200), fired::incrementAndGet);
      Thread.sleep(Timers.MISFIRE.multipliedBy(2).plusMillis(700).toMillis());
      assertThat(fired).hasValue(0);
      long resumed = System.nanoTime();
      timers.resume();
      await(() -> fired.get() == 1, Duration.ofSeconds(5));
      assertThat(Duration.ofNanos(System.nanoTime() - resumed)).isLessThan(Duration.ofSeconds(2));
      Thread.sleep(500);
      assertThat(fired).hasValue(1);
      assertThat(timers.size()).isZero(); // done and gone
    }
  }

  @Test
  void aOneShotFiresAtItsTimeAndACancelledOneNever() throws Exception {
    try (Timers timers = Timers.start("test")) {
      CountDownLatch fired = new CountDownLatch(1);
      AtomicInteger cancelled = new AtomicInteger();
      long start = System.nanoTime();
      timers.once("a", Duration.ofMillis(300), fired::countDown);
      Timers.Timer c = timers.once("a", Duration.ofMillis(300), cancelled::incrementAndGet);
      assertThat(c.nextFire()).isPresent();
      c.cancel();
      assertThat(c.nextFire()).isEmpty();
      assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(290));
      Thread.sleep(300);
      assertThat(cancelled).hasValue(0);
    }
  }

  @Test
  void aCronTimerFiresAtItsCronTimesWithThoseTimes() throws Exception {
    try (Timers timers = Timers.start("test")) {
      List<Instant> fires = new CopyOnWriteArrayList<>();
      Timers.Timer t = timers.cron("policy", List.of("* * * ? * *"), ZoneOffset.UTC, fires::add);
      await(() -> fires.size() >= 2, Duration.ofSeconds(10));
      // on whole seconds, as the expression says (not "about a second after the start")
      assertThat(fires).allSatisfy(f -> assertThat(f.getNano()).isZero());
      assertThat(t.nextFire().orElseThrow()).isAfter(fires.get(0));
      t.cancel();
      int after = fires.size();
      Thread.sleep(1500);
      assertThat(fires.size()).isLessThanOrEqualTo(after + 1); // at most one already under way
    }
  }

  @Test
  void cronRefusesAnExpressionQuartzCannotRead() {
    try (Timers timers = Timers.start("test")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> timers.cron("policy", List.of("0 3 * * 0"), ZoneOffset.UTC, t -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("0 3 * * 0");
      assertThat(timers.size()).isZero();
    }
  }

  @Test
  void aRepeatingTimerSkipsTheRunsMissedInAStall() throws Exception {
    try (Timers timers = Timers.create("test")) {
      List<Instant> fires = new CopyOnWriteArrayList<>();
      timers.every("tick", Instant.now(), Duration.ofMillis(200), fires::add);
      Thread.sleep(2000); // ten periods pass with nothing firing
      timers.resume();
      Thread.sleep(700);
      // no burst of the ten missed runs: about one per period since the resume
      assertThat(fires.size()).isBetween(1, 6);
    }
  }

  @Test
  void closeDoesNotWaitForARunningTaskAndSchedulingAfterwardsIsANoOp() throws Exception {
    Timers timers = Timers.start("test");
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    timers.once(
        "slow",
        Duration.ZERO,
        () -> {
          running.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    try {
      assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
      long start = System.nanoTime();
      timers.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      Timers.Timer late = timers.once("late", Duration.ZERO, () -> {});
      assertThat(late.nextFire()).isEmpty();
    } finally {
      release.countDown();
    }
  }

  @Test
  void aBackwardClockStepMovesEveryTimerBackAsMuch() throws Exception {
    // Quartz alone would hold these for the hour the clock went back
    try (Timers timers = Timers.start("test")) {
      CountDownLatch deadline = new CountDownLatch(1);
      List<Instant> ticks = new CopyOnWriteArrayList<>();
      long start = System.nanoTime();
      Timers.Timer once =
          timers.once("deadline", Duration.ofHours(1).plusSeconds(1), deadline::countDown);
      timers.every(
          "tick", Instant.now().plus(Duration.ofHours(1)), Duration.ofMillis(200), ticks::add);
      AtomicInteger later = new AtomicInteger();
      timers.once("later", Duration.ofHours(3), later::incrementAndGet);
      timers.clockWentBack(Duration.ofHours(1));
      assertThat(deadline.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(900));
      await(() -> ticks.size() >= 2, Duration.ofSeconds(5));
      assertThat(once.nextFire()).isEmpty();
      assertThat(later).hasValue(0); // moved back by the step only: still two hours away
    }
  }

  @Test
  void onlyAStepBackBeyondTheMisfireThresholdCounts() {
    assertThat(Timers.backwardStep(1000, 1000)).isZero();
    assertThat(Timers.backwardStep(900, 1000)).isZero(); // slewing, jitter
    assertThat(Timers.backwardStep(60_000, 1000)).isZero(); // forward step or suspend: misfires
    assertThat(Timers.backwardStep(-3_599_000, 1000)).isEqualTo(3_600_000);
  }
}
