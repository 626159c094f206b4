package io.qga.exporter.poll;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one domain's tasks one at a time, in order, on a shared pool: the agent handles one request
 * at a time, so a domain never occupies more than one pool thread, while different domains run in
 * parallel. A task never throws out of here (it is logged).
 */
final class SerialQueue {
  private static final Logger LOG = Logger.getLogger(SerialQueue.class.getName());

  private final Executor pool;
  private final Queue<Runnable> tasks = new ArrayDeque<>();
  private boolean running;

  SerialQueue(Executor pool) {
    this.pool = pool;
  }

  /** Queues {@code task}; returns false when the pool refused it (shutting down). */
  boolean submit(Runnable task) {
    synchronized (this) {
      tasks.add(task);
      if (running) {
        return true;
      }
      running = true;
    }
    try {
      pool.execute(this::drain);
      return true;
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        tasks.clear();
        running = false;
      }
      return false;
    }
  }

  synchronized int size() {
    return tasks.size();
  }

  private void drain() {
    while (true) {
      Runnable task;
      synchronized (this) {
        task = tasks.poll();
        if (task == null) {
          running = false;
          return;
        }
      }
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        LOG.log(Level.WARNING, "poll task failed unexpectedly", e);
      }
    }
  }
}
