package io.qga.exporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SizesTest {
  @Test
  void parsesBinaryUnits() {
    assertThat(Sizes.parse("512B")).isEqualTo(512);
    assertThat(Sizes.parse("64KiB")).isEqualTo(65536);
    assertThat(Sizes.parse("10MiB")).isEqualTo(10L << 20);
    assertThat(Sizes.parse("1GiB")).isEqualTo(1L << 30);
  }

  @Test
  void rejectsOtherForms() {
    for (String bad : new String[] {"64KB", "64", "", "1.5MiB", "64 kib", "999999999999999GiB"}) {
      assertThatThrownBy(() -> Sizes.parse(bad))
          .as(bad)
          .hasMessageStartingWith("\"" + bad + "\" is ");
    }
    assertThatThrownBy(() -> Sizes.parse("64KB"))
        .hasMessage("\"64KB\" is not a size (use 512B, 64KiB, 10MiB, 1GiB)");
    assertThatThrownBy(() -> Sizes.parse("-1MiB"))
        .hasMessage("\"-1MiB\" is negative (sizes are >= 0)");
  }
}
