package io.qga.exporter.poll;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.zip.CRC32;

/**
 * Where in each interval a domain is polled: at a stable offset derived from a hash of the
 * domain name, aligned to the epoch, so domains are spread evenly over the interval (no
 * thundering herd at :00) and a domain keeps its phase across restarts and reloads.
 */
final class PollSchedule {
  private PollSchedule() {}

  /** The domain's offset within an interval, in [0, interval). */
  static long offsetMillis(String domain, Duration interval) {
    CRC32 crc = new CRC32();
    crc.update(domain.getBytes(StandardCharsets.UTF_8));
    return Math.floorMod(crc.getValue() * 0x9E3779B97F4A7C15L >>> 16, interval.toMillis());
  }

  /** The first poll time at or after {@code now}: a time t with (t - offset) % interval == 0. */
  static Instant firstFire(String domain, Duration interval, Instant now) {
    long period = interval.toMillis();
    long offset = offsetMillis(domain, interval);
    long t = now.toEpochMilli();
    long next = t - Math.floorMod(t - offset, period);
    if (next < t) {
      next += period;
    }
    return Instant.ofEpochMilli(next);
  }
}
