package io.qga.exporter.poll;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shared pool the domains' {@link SerialQueue}s run on. It grows only for threads held by
 * agents: a task goes to an idle thread, or waits in line; once the oldest task has waited {@link
 * #GROW_AFTER} and some threads have been running one task for that long (waiting on agents that do
 * not answer, or answer slowly), a thread starts for each such held thread, up to the maximum. A
 * line that is long because there is much work (a tick's burst: hundreds of domains due in the same
 * second, a millisecond each; thousands at start) is served by the threads that exist: more threads
 * would not make two cores faster. So a hung agent delays another domain's poll by about {@link
 * #GROW_AFTER} at most, and hung agents, not domains due, decide the number of threads: once they
 * are done (timed out, or the domain is down and probed without a thread), the threads started for
 * them end.
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

  /** Start times of the tasks running now. */
  private final Set<Running> running = ConcurrentHashMap.newKeySet();

  private final int minWorkers;

  /** The most threads allowed (one per domain, at most {@link Poller#MAX_WORKERS}). */
  private volatile int limit;

  private final Thread grower;

  PollPool(int minWorkers, int maxWorkers) {
    AtomicInteger threads = new AtomicInteger();
    this.minWorkers = minWorkers;
    this.limit = Math.max(minWorkers, maxWorkers);
    this.pool =
        new ThreadPoolExecutor(
            minWorkers,
            minWorkers, // raised by the grower for threads held by agents
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
    pool.execute(new Running(task));
  }

  int maxThreads() {
    return limit;
  }

  /** Threads now. */
  int threads() {
    return pool.getPoolSize();
  }

  /** The most threads the pool had at once. */
  int largestThreads() {
    return pool.getLargestPoolSize();
  }

  void setMaxThreads(int max) {
    limit = Math.max(max, minWorkers);
  }

  @Override
  public void close() {
    grower.interrupt();
    pool.shutdownNow();
  }

  /**
   * Every round: the pool may have {@code minWorkers} threads plus one for each thread held by one
   * task for {@link #GROW_AFTER} (up to the limit). While the line is stalled, starts threads up to
   * that: each no-op below is refused by the stalled queue, so the executor starts a thread for it,
   * which then takes the oldest task. Threads beyond it end when they next have nothing to do: an
   * idle timeout alone would never end them, since a steady flow of polls reaches every waiting
   * thread in turn.
   */
  private void growWhileOpen() {
    long sleep = Math.max(1, GROW_AFTER.toMillis() / 2);
    long last = System.nanoTime();
    while (!pool.isShutdown()) {
      try {
        Thread.sleep(sleep);
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      boolean paused = now - last > 2 * sleep * 1_000_000L;
      last = now;
      if (paused) {
        continue; // the whole JVM stood still (a collection): every task looks held for no agent
      }
      int allowed = Math.min(limit, minWorkers + held());
      if (allowed != pool.getMaximumPoolSize()) {
        pool.setMaximumPoolSize(allowed);
      }
      int start = Math.min(queue.stalled(), allowed - pool.getPoolSize());
      for (int i = 0; i < start; i++) {
        try {
          pool.execute(() -> {});
        } catch (RuntimeException e) {
          return; // shut down meanwhile
        }
      }
    }
  }

  /** Threads running one task for {@link #GROW_AFTER} or longer. */
  private int held() {
    long now = System.nanoTime();
    long limit = GROW_AFTER.toNanos();
    int n = 0;
    for (Running r : running) {
      long since = r.since;
      if (since != 0 && now - since >= limit) {
        n++;
      }
    }
    return n;
  }

  /** A task, counted in {@link #running} while it runs. */
  private final class Running implements Runnable {
    final Runnable task;
    volatile long since;

    Running(Runnable task) {
      this.task = task;
    }

    @Override
    public void run() {
      since = System.nanoTime();
      running.add(this);
      try {
        task.run();
      } finally {
        running.remove(this);
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
      if (!(task instanceof Running) && stalled() > 0) {
        return false; // the grower's no-op: start a thread
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
