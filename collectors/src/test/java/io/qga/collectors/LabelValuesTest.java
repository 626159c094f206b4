package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LabelValuesTest {

  @Test
  void cleanValuesAreReturnedAsIs() {
    String value = "eth0 \u00e9\ud83d\ude00";
    assertThat(LabelValues.clean(value, 128)).isSameAs(value);
  }

  @Test
  void nullBecomesEmpty() {
    assertThat(LabelValues.clean(null, 5)).isEmpty();
  }

  @Test
  void controlCharactersAndLoneSurrogatesAreReplaced() {
    assertThat(LabelValues.clean("a\nb\u0000c\u007fd\u0085e\ud800f\udc00", 128))
        .isEqualTo("a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFD");
  }

  @Test
  void longValuesAreCutWithAnEllipsis() {
    String oneMegabyte = "y".repeat(1 << 20);
    assertThat(LabelValues.clean(oneMegabyte, 8)).isEqualTo("yyyyyyy\u2026");
    assertThat(LabelValues.clean("abc", 1)).isEqualTo("a");
    assertThat(LabelValues.clean("abcdefgh", 8)).isEqualTo("abcdefgh");
  }

  @Test
  void aCutNeverSplitsASurrogatePair() {
    String emoji = "\ud83d\ude00";
    String cut = LabelValues.clean("ab" + emoji + "cdef", 4);

    assertThat(cut).isEqualTo("ab\u2026");
    assertThat(new String(cut.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
        .isEqualTo(cut);
    assertThat(LabelValues.clean("abc" + emoji + "d", 5)).isEqualTo("abc\u2026");
    assertThat(LabelValues.clean(emoji + "x", 2)).isEqualTo("\u2026");
  }

  @Test
  void rejectsANonPositiveLimit() {
    assertThatThrownBy(() -> LabelValues.clean("a", 0)).hasMessageContaining("maxLength");
  }
}
