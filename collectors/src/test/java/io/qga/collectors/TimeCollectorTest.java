package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimeCollectorTest {
  private final TimeCollector collector = new TimeCollector();

  /** A host clock that returns the given instants, one per read. */
  private static Clock reads(Instant... instants) {
    Deque<Instant> queue = new ArrayDeque<>(List.of(instants));
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return queue.removeFirst();
      }
    };
  }

  private String poll(FixtureChannel channel, Clock clock) {
    return Texts.text(
        "time", collector.poll(channel.agent(), channel.context(Limits.DEFAULT, clock)));
  }

  @Test
  void linuxOffsetAgainstTheMidpointOfTheRoundTrip() {
    // captured guest time: 1795823773905849000 ns; host read before and after, 4 ms apart
    Instant before = Instant.ofEpochSecond(1795823770L, 903_849_000);
    Instant after = before.plusMillis(4);

    assertThat(poll(new FixtureChannel("linux-7.2"), reads(before, after)))
        .isEqualTo(
            """
            # HELP qga_guest_time_offset_seconds Guest clock minus host clock in seconds, measured at the midpoint of the round trip.
            # TYPE qga_guest_time_offset_seconds gauge
            qga_guest_time_offset_seconds{domain="vm"} 3.0
            """);
  }

  @Test
  void nanosecondPrecisionSurvives() {
    Instant before = Instant.ofEpochSecond(1716800000L, 987_654_000);
    FixtureChannel channel = new FixtureChannel("qemu-2.5"); // guest: 1716800000987654321

    assertThat(poll(channel, reads(before, before))).endsWith("} 3.21E-7\n");
  }

  @Test
  void windowsGuestBehindTheHost() {
    Instant host = Instant.ofEpochSecond(1716800060L, 123_456_700); // guest: 1716800000123456700
    assertThat(poll(new FixtureChannel("windows"), reads(host, host))).endsWith("} -60.0\n");
  }

  @Test
  void absurdGuestClockDoesNotOverflow() {
    FixtureChannel channel =
        new FixtureChannel("linux-7.2")
            .reply("guest-get-time", "{\"return\": -9223372036854775808}");
    Instant host = Instant.parse("2026-01-01T00:00:00Z");

    assertThat(poll(channel, reads(host, host))).endsWith("} -1.0990597636854776E10\n");
  }
}
