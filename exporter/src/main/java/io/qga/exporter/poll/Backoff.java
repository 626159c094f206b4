package io.qga.exporter.poll;

import java.time.Duration;

/**
 * How long a domain whose agent is not answering waits before the next probe: 1 s after the first
 * failure, doubling, capped at {@code cap} (the smallest collector interval, or agent.backoff_max
 * when smaller), so an agent that comes back is seen within one interval.
 */
record Backoff(Duration initial, Duration cap) {
  Backoff {
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial backoff must be positive: " + initial);
    }
    if (cap.compareTo(initial) < 0) {
      cap = initial;
    }
  }

  /** The delay before the next probe after {@code failures} consecutive failures (1 = first). */
  Duration delay(int failures) {
    int doublings = Math.max(0, Math.min(failures - 1, 30));
    long millis = initial.toMillis();
    for (int i = 0; i < doublings && millis < cap.toMillis(); i++) {
      millis *= 2;
    }
    return Duration.ofMillis(Math.min(millis, cap.toMillis()));
  }
}
