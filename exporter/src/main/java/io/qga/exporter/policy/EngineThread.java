package io.qga.exporter.policy;

import io.qga.exporter.runtime.Timers;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@link PolicyEngine}'s one thread and its one-shot timers (jitter delays, frozen retries):
 * Quartz threads and the poller only hand work to it, so they never wait on rules or guests.
 */
final class EngineThread {
  private static final Logger LOG = Logger.getLogger(PolicyEngine.class.getName());
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final ThreadPoolExecutor worker;
  private final Timers timers;
  private final boolean ownTimers;

  /** Timer group of this engine's one-shot timers (jitter delays, frozen retries). */
  private final String runs = "policy-runs-" + INSTANCES.incrementAndGet();

  /** Those one-shot timers not fired yet: they count towards {@link PolicyEngine#MAX_PENDING}. */
  private final AtomicInteger timed = new AtomicInteger();

  /**
   * @param timers the daemon's scheduler; null: start our own, stopped with us
   */
  EngineThread(Timers timers) {
    this.worker =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "policy-engine");
              t.setDaemon(true);
              return t;
            });
    this.ownTimers = timers == null;
    this.timers = timers == null ? Timers.start("policy-engine") : timers;
  }

  Timers timers() {
    return timers;
  }

  boolean isShutdown() {
    return worker.isShutdown();
  }

  /** Runs {@code task} on the engine's thread after {@code delay} (a Quartz one-shot timer). */
  void schedule(Runnable task, Duration delay) {
    if (worker.isShutdown() || worker.getQueue().size() + timed.get() > PolicyEngine.MAX_PENDING) {
      return;
    }
    try {
      if (delay.isZero() || delay.isNegative()) {
        worker.execute(() -> safely(task));
      } else {
        timed.incrementAndGet();
        timers.once(
            runs,
            delay,
            () -> {
              timed.decrementAndGet();
              schedule(task, Duration.ZERO);
            });
      }
    } catch (RejectedExecutionException e) {
      // stopping
    }
  }

  private static void safely(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "policy evaluation failed", e);
    }
  }

  /** Waits until tasks handed over so far have run (tests). */
  void awaitIdle() throws Exception {
    worker.submit(() -> {}).get(20, TimeUnit.SECONDS);
  }

  /** Stops the thread and this engine's timers (all of them if they are our own). */
  void close() {
    if (ownTimers) {
      timers.close();
    } else {
      timers.cancelGroup(runs);
    }
    worker.shutdownNow();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
