package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MetricFamilyTest {

  @Test
  void rejectsWhatPrometheusWouldReject() {
    assertThatThrownBy(() -> MetricFamily.gauge("1bad", "h")).hasMessageContaining("1bad");
    assertThatThrownBy(() -> MetricFamily.counter(null, "x_total", "h"))
        .hasMessageContaining("_total");
    assertThatThrownBy(() -> MetricFamily.gaugeIn("bytes", "x_seconds", "h"))
        .hasMessageContaining("_bytes");
    assertThatThrownBy(() -> MetricFamily.gauge("x", "h", "bad-name"))
        .hasMessageContaining("bad-name");
    assertThatThrownBy(() -> MetricFamily.gauge("x", "h", "__reserved"))
        .hasMessageContaining("__reserved");
    assertThatThrownBy(() -> MetricFamily.gauge("x", "h", "a", "a"))
        .hasMessageContaining("duplicate");
  }

  @Test
  void domainIsReservedForTheExposition() {
    assertThatThrownBy(() -> MetricFamily.gauge("x", "h", "domain")).hasMessageContaining("domain");
  }
}
