package io.qga.exporter.poll;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or the deadline passes (no sleeps as synchronisation). */
final class Await {
  private Await() {}

  static void until(Duration timeout, String what, BooleanSupplier condition) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for: " + what);
      }
    }
  }
}
