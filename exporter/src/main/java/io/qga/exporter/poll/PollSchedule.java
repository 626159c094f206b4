package io.qga.exporter.poll;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.CRC32;

/**
 * Where in each interval a domain is polled: at a stable offset derived from a hash of the domain
 * name, aligned to the epoch, so domains are spread evenly over the interval (no thundering herd at
 * :00) and a domain keeps its phase across restarts and reloads. The hash ({@link #phase}) is
 * computed once per domain: the schedule's tick asks every domain every second.
 */
final class PollSchedule {
  private PollSchedule() {}

  /** The domain's hash, from which its offset in every interval follows. */
  static long phase(String domain) {
    CRC32 crc = new CRC32();
    crc.update(domain.getBytes(StandardCharsets.UTF_8));
    return crc.getValue() * 0x9E3779B97F4A7C15L >>> 16;
  }

  /** The domain's offset within an interval, in [0, interval). */
  static long offsetMillis(String domain, Duration interval) {
    return Math.floorMod(phase(domain), interval.toMillis());
  }

  /**
   * Whether the domain's turn, {@code offset + k * interval}, falls within the tick that ends at
   * {@code t}: in {@code (t - tick, t]}. Consecutive ticks of one length cover every instant once,
   * so a domain is due exactly once per interval, at most a tick after its turn.
   *
   * @param tickMillis at most the interval
   */
  static boolean isDue(String domain, Duration interval, long tickMillis, long t) {
    return isDue(phase(domain), interval.toMillis(), tickMillis, t);
  }

  /** {@link #isDue(String, Duration, long, long)} for a domain's {@link #phase}. */
  static boolean isDue(long phase, long intervalMillis, long tickMillis, long t) {
    return Math.floorMod(t - Math.floorMod(phase, intervalMillis), intervalMillis) < tickMillis;
  }
}
