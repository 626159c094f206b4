package io.qga.collectors;

import io.qga.client.api.GuestAgent;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * {@code guest-get-time}: the guest clock minus the host clock, where the host clock is read before
 * and after the round trip and taken at its midpoint (the guest read its clock somewhere in
 * between; the midpoint halves the worst-case error to half the round trip).
 */
final class TimeCollector implements Collector {
  static final MetricFamily OFFSET =
      MetricFamily.gaugeIn(
          "seconds",
          "qga_guest_time_offset_seconds",
          "Guest clock minus host clock in seconds, measured at the midpoint of the round trip.");

  @Override
  public String name() {
    return "time";
  }

  @Override
  public List<String> commands() {
    return List.of("guest-get-time");
  }

  @Override
  public void collect(GuestAgent agent, CollectContext context, SampleSink out) {
    Clock clock = context.clock();
    Instant before = clock.instant();
    long guestNanos = agent.getTime();
    Instant after = clock.instant();
    double offset = offsetSeconds(guestNanos, before, after);
    out.gauge(OFFSET, offset);
    out.keep(new GuestRecord.TimeOffset(offset));
  }

  /** Exact in nanoseconds while the difference fits a long (±292 years), else in doubles. */
  static double offsetSeconds(long guestNanos, Instant before, Instant after) {
    long beforeNanos = nanos(before);
    long hostNanos = beforeNanos + (nanos(after) - beforeNanos) / 2;
    try {
      return Math.subtractExact(guestNanos, hostNanos) / 1e9;
    } catch (ArithmeticException e) {
      return ((double) guestNanos - (double) hostNanos) / 1e9;
    }
  }

  private static long nanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }
}
