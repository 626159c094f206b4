package io.qga.exporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesEveryUnitAndCombinations() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("15s")).isEqualTo(Duration.ofSeconds(15));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse(" 0 ")).isZero();
  }

  @Test
  void rejectsWhatIsNotADuration() {
    for (String bad :
        new String[] {"15", "", "1 s", "5min", "1.5s", "s", "1y", "99999999999999s"}) {
      assertThatThrownBy(() -> Durations.parse(bad))
          .as(bad)
          .hasMessage("\"" + bad + "\" is not a duration (use 500ms, 15s, 2m, 1h)");
    }
    assertThatThrownBy(() -> Durations.parse("-5s"))
        .hasMessage("\"-5s\" is negative (durations are >= 0)");
  }

  @Test
  void formatsShortest() {
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(Durations.format(Duration.ofMinutes(10))).isEqualTo("10m");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1s500ms");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.parse(Durations.format(Duration.ofMillis(90061001))))
        .isEqualTo(Duration.ofMillis(90061001));
  }
}
