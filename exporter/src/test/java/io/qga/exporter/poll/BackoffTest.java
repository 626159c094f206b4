package io.qga.exporter.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesFromTheFirstFailureUpToTheCap() {
    Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(15));
    assertThat(b.delay(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(b.delay(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(b.delay(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(b.delay(4)).isEqualTo(Duration.ofSeconds(8));
    assertThat(b.delay(5)).isEqualTo(Duration.ofSeconds(15));
    assertThat(b.delay(1000)).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void theCapIsTheSmallestIntervalOrBackoffMax() {
    PollSettings s =
        PollSettings.of(
                java.util.Map.of("network", Duration.ofSeconds(15), "disk", Duration.ofSeconds(60)))
            .withBackoffMax(Duration.ofMinutes(5));
    assertThat(s.backoffCap()).isEqualTo(Duration.ofSeconds(15));
    assertThat(s.withBackoffMax(Duration.ofSeconds(5)).backoffCap())
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void rejectsANonPositiveStart() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
        .hasMessageContaining("initial backoff must be positive");
  }
}
