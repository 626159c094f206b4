package io.qga.exporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Durations too long for the clocks and timers they feed are refused where they are written. */
class DurationLimitsTest {
  @TempDir Path dir;

  @Test
  void aDurationLongerThanTenYearsIsRefusedNotOverflowed() {
    assertThat(Durations.parse("3650d")).isEqualTo(Duration.ofDays(3650));
    for (String huge :
        List.of("3651d", "999999999999d", "999999999999h", "999999999999d999999999999d")) {
      assertThatThrownBy(() -> Durations.parse(huge))
          .as(huge)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("\"" + huge + "\" is longer than 3650d (the longest duration accepted)");
    }
  }

  @Test
  void anyDurationFormatsWithoutOverflow() {
    assertThat(Durations.format(Duration.ofDays(999_999_999_999L))).isEqualTo("999999999999d");
    assertThat(Durations.format(Duration.ofSeconds(Long.MAX_VALUE))).startsWith("106751991167300d");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1s500ms");
  }

  @Test
  void hugeIntervalsAndTimeoutsAreConfigErrorsNamingTheYamlPath() {
    String yaml =
        "agent:\n"
            + "  command_timeout: 999999999999d\n"
            + "  connect_timeout: 3651d\n"
            + "collectors:\n"
            + "  network: {interval: 999999999999d}\n"
            + "api:\n"
            + "  fsfreeze_max_deadline: 999999999999h\n";
    try {
      ConfigLoader.parse(yaml, dir);
      throw new AssertionError("the config loaded");
    } catch (ConfigException e) {
      List<String> problems = e.problems().stream().map(ConfigProblem::toString).toList();
      assertThat(problems)
          .anyMatch(p -> p.contains("/agent/command_timeout") && p.contains("longer than 3650d"))
          .anyMatch(p -> p.contains("/agent/connect_timeout") && p.contains("longer than 3650d"))
          .anyMatch(
              p -> p.contains("/collectors/network/interval") && p.contains("longer than 3650d"))
          .anyMatch(
              p -> p.contains("/api/fsfreeze_max_deadline") && p.contains("longer than 3650d"));
    }
  }
}
