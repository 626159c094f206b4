package io.qga.exporter.poll;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PollPoolTest {
  private final PollPool pool = new PollPool(2, 100);
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    pool.close();
  }

  @Test
  void aBurstOfQuickTasksIsServedByTheThreadsThatExist() {
    AtomicInteger done = new AtomicInteger();
    for (int i = 0; i < 500; i++) {
      pool.execute(done::incrementAndGet);
    }
    Await.until(Duration.ofSeconds(10), "all ran", () -> done.get() == 500);
    // a thread per task would be 100: the pool grows only for threads held 200 ms
    assertThat(pool.largestThreads()).isLessThan(20);
  }

  @Test
  void aLongLineOfWorkStartsNoThreadsWhenNoneIsHeld() {
    AtomicInteger done = new AtomicInteger();
    for (int i = 0; i < 200; i++) {
      pool.execute(
          () -> {
            sleep(5); // 200 x 5 ms on 2 threads: the line is stalled for ~500 ms
            done.incrementAndGet();
          });
    }
    Await.until(Duration.ofSeconds(20), "all ran", () -> done.get() == 200);
    // more threads would not make the work faster: none was held by one task for 200 ms
    assertThat(pool.largestThreads()).isLessThan(10);
  }

  @Test
  void threadsHeldByHungWorkDoNotStopOtherTasks() {
    for (int i = 0; i < 10; i++) {
      pool.execute(this::hang);
    }
    CountDownLatch ran = new CountDownLatch(3);
    for (int i = 0; i < 3; i++) {
      pool.execute(ran::countDown);
    }
    Await.until(Duration.ofSeconds(10), "the quick tasks ran", () -> ran.getCount() == 0);
    assertThat(pool.largestThreads()).isGreaterThanOrEqualTo(11);
  }

  @Test
  void threadsStartedForHungWorkEndOnceItIsDoneThoughWorkKeepsFlowing() {
    CountDownLatch hungDone = new CountDownLatch(1);
    for (int i = 0; i < 10; i++) {
      pool.execute(
          () -> {
            try {
              hungDone.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
    }
    CountDownLatch ran = new CountDownLatch(1);
    pool.execute(ran::countDown);
    Await.until(Duration.ofSeconds(10), "the pool grew", () -> ran.getCount() == 0);
    assertThat(pool.threads()).isGreaterThan(2);
    hungDone.countDown();
    // a steady flow of quick tasks reaches every idle thread in turn: an idle timeout alone
    // would keep them all
    Await.until(
        Duration.ofSeconds(20),
        "back to the threads the work needs",
        () -> {
          for (int i = 0; i < 20; i++) {
            pool.execute(() -> {});
          }
          sleep(20);
          return pool.threads() <= 2;
        });
  }

  @Test
  void aStalledTaskGetsAThreadWithoutAnotherArriving() throws InterruptedException {
    pool.execute(this::hang);
    pool.execute(this::hang);
    CountDownLatch ran = new CountDownLatch(1);
    pool.execute(ran::countDown); // waits: both threads held; nothing else arrives after it
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void hang() {
    try {
      release.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
