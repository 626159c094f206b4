package io.qga.exporter.poll;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shared pool the domains' {@link SerialQueue}s run on. It grows only when work stalls: a task
 * goes to an idle thread, or waits in line while the line moves; once the oldest task has waited
 * {@link #GROW_AFTER} (every thread held, typically by agents that do not answer), a thread starts
 * for each task that has waited that long, up to the maximum. So a hung agent delays another
 * domain's poll by at most about {@link #GROW_AFTER}, while the bursts of a tick (hundreds of
 * domains due in the same second, a millisecond of work each) are served by the threads that exist
 * instead of starting one thread per domain due.
 */
final class PollPool implements Executor, AutoCloseable {

  /** How long the oldest waiting task may wait before the pool starts threads. */
  static final Duration GROW_AFTER = Duration.ofMillis(200);

  /** How long a thread with nothing to do lives on. */
  static final Duration IDLE = Duration.ofSeconds(30);

  /**
   * Stack of a pool thread: its deepest path (collector, typed API, Jackson, junixsocket) needs a
   * few dozen KiB; the JVM default of 1 MiB only reserves address space, but this is a bound for
   * hundreds of threads.
   */
  private static final long WORKER_STACK = 256 * 1024;

  private final ThreadPoolExecutor pool;
  private final StallQueue queue = new StallQueue();
  private final Thread grower;

  PollPool(int minWorkers, int maxWorkers) {
    AtomicInteger threads = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            minWorkers,
            Math.max(minWorkers, maxWorkers),
            IDLE.toSeconds(),
            TimeUnit.SECONDS,
            queue,
            r -> {
              Thread t = new Thread(null, r, "poll-" + threads.incrementAndGet(), WORKER_STACK);
              t.setDaemon(true);
              return t;
            },
            (task, executor) -> {
              if (!executor.isShutdown()) {
                queue.enqueue(task); // every thread busy and the pool at its maximum: wait
              }
            });
    pool.allowCoreThreadTimeOut(true);
    this.grower = new Thread(this::growWhileOpen, "poll-pool-grower");
    grower.setDaemon(true);
    grower.start();
  }

  @Override
  public void execute(Runnable task) {
    pool.execute(task);
  }

  int maxThreads() {
    return pool.getMaximumPoolSize();
  }

  /** The most threads the pool had at once. */
  int largestThreads() {
    return pool.getLargestPoolSize();
  }

  void setMaxThreads(int max) {
    if (max != pool.getMaximumPoolSize()) {
      pool.setMaximumPoolSize(Math.max(max, pool.getCorePoolSize()));
    }
  }

  @Override
  public void close() {
    grower.interrupt();
    pool.shutdownNow();
  }

  /**
   * Starts a thread for every task that waited {@link #GROW_AFTER}: each no-op below is refused by
   * the stalled queue, so the executor starts a thread for it, which then takes the oldest task.
   */
  private void growWhileOpen() {
    long sleep = Math.max(1, GROW_AFTER.toMillis() / 2);
    while (!pool.isShutdown()) {
      try {
        Thread.sleep(sleep);
      } catch (InterruptedException e) {
        return;
      }
      int stalled = queue.stalled();
      for (int i = 0; i < stalled && pool.getPoolSize() < pool.getMaximumPoolSize(); i++) {
        try {
          pool.execute(() -> {});
        } catch (RuntimeException e) {
          return; // shut down meanwhile
        }
      }
    }
  }

  /** A task and when it started waiting. */
  private record Waiting(Runnable task, long since) implements Runnable {
    @Override
    public void run() {
      task.run();
    }
  }

  /**
   * Hands a task to an idle thread, or queues it while the line moves; refuses it (so that the
   * executor starts a thread) once the oldest task has waited {@link #GROW_AFTER}.
   */
  private static final class StallQueue extends LinkedTransferQueue<Runnable> {
    @Override
    public boolean offer(Runnable task) {
      if (tryTransfer(task)) {
        return true;
      }
      if (stalled() > 0) {
        return false;
      }
      enqueue(task);
      return true;
    }

    void enqueue(Runnable task) {
      super.offer(new Waiting(task, System.nanoTime()));
    }

    /** Tasks that have waited at least {@link #GROW_AFTER}, oldest first. */
    int stalled() {
      long now = System.nanoTime();
      long limit = GROW_AFTER.toNanos();
      int n = 0;
      for (Runnable r : this) {
        if (!(r instanceof Waiting w) || now - w.since() < limit) {
          break;
        }
        n++;
      }
      return n;
    }
  }
}
