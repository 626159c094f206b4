package io.qga.exporter.api;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission for API requests that wait on a guest: live pings, passthrough commands, {@code
 * ?wait=}. Each holds a listener thread for up to the command timeout; at most {@code
 * api.max_live_calls} do at once, so a hung guest and a loop of pings cannot take the threads that
 * serve {@code /metrics} and {@code /-/healthy}. A refused call gets 429 with {@code Retry-After}
 * before anything is sent to the guest.
 */
final class LiveCalls {
  private final AtomicInteger inFlight = new AtomicInteger();

  /** A taken slot; closing it frees the slot. */
  interface Slot extends AutoCloseable {
    @Override
    void close();
  }

  /** A slot, or null when {@code limit} calls are in flight. */
  Slot tryEnter(int limit) {
    while (true) {
      int n = inFlight.get();
      if (n >= limit) {
        return null;
      }
      if (inFlight.compareAndSet(n, n + 1)) {
        return inFlight::decrementAndGet;
      }
    }
  }

  /** A slot, or 429 naming the bound; {@code retryAfter}: the longest a slot stays taken. */
  Slot enter(int limit, Duration retryAfter, String what) {
    Slot slot = tryEnter(limit);
    if (slot == null) {
      long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
      throw new ApiException(
              429,
              limit
                  + " live calls to guests are in flight (api.max_live_calls); "
                  + what
                  + " was not sent, retry after "
                  + seconds
                  + " s")
          .with("retry_after_seconds", String.valueOf(seconds));
    }
    return slot;
  }
}
