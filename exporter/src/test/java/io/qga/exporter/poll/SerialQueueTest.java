package io.qga.exporter.poll;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SerialQueueTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(4);

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void runsOneDomainsTasksOneAtATimeInOrder() {
    SerialQueue queue = new SerialQueue(pool);
    List<Integer> order = new CopyOnWriteArrayList<>();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    for (int i = 0; i < 200; i++) {
      int n = i;
      queue.submit(
          () -> {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            order.add(n);
            running.decrementAndGet();
          });
    }
    Await.until(Duration.ofSeconds(5), "all ran", () -> order.size() == 200);
    assertThat(maxRunning.get()).isEqualTo(1);
    assertThat(order).isSorted();
  }

  @Test
  void aBlockedDomainDoesNotBlockAnother() throws InterruptedException {
    SerialQueue stuck = new SerialQueue(pool);
    SerialQueue other = new SerialQueue(pool);
    CountDownLatch release = new CountDownLatch(1);
    stuck.submit(
        () -> {
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    CountDownLatch ran = new CountDownLatch(1);
    other.submit(ran::countDown);
    assertThat(ran.await(2, TimeUnit.SECONDS)).isTrue();
    release.countDown();
  }

  @Test
  void aFailingTaskDoesNotStopTheQueue() {
    SerialQueue queue = new SerialQueue(pool);
    AtomicInteger ran = new AtomicInteger();
    queue.submit(
        () -> {
          throw new IllegalStateException("collector bug");
        });
    queue.submit(ran::incrementAndGet);
    Await.until(Duration.ofSeconds(5), "next task ran", () -> ran.get() == 1);
  }

  @Test
  void refusesQuietlyWhenThePoolIsShutDown() {
    pool.shutdown();
    assertThat(new SerialQueue(pool).submit(() -> {})).isFalse();
  }
}
