package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DomainSamplesTest {
  private static final MetricFamily G = MetricFamily.gauge("g", "h", "name");
  private static final MetricFamily C = MetricFamily.counter(null, "c", "h", "name");

  @Test
  void theSinkCleansLabelsAndSkipsInvalidAndDuplicateSamples() {
    var sink = DomainSamples.builder(new Limits(1, 1, 1, 1, 1, 1, 4));
    sink.gauge(G, 1, "a\nbcdef");
    sink.gauge(G, 2, "a\uFFFDbcxyz"); // cut to the same value as the first: a duplicate
    sink.gauge(G, Double.NaN, "n");
    sink.gauge(G, Double.POSITIVE_INFINITY, "i");
    sink.counter(C, -1, "neg");
    sink.counter(C, 0, "zero");
    sink.gauge(G, -1, "gauges may be negative");
    sink.dropped("things", 0);
    sink.dropped("things", 2);
    sink.dropped("things", 3);

    DomainSamples samples = sink.build();

    assertThat(samples.samples())
        .containsExactly(
            new DomainSamples.Sample(G, List.of("a\uFFFDb\u2026"), 1),
            new DomainSamples.Sample(C, List.of("zero"), 0),
            new DomainSamples.Sample(G, List.of("gau\u2026"), -1));
    assertThat(samples.dropped())
        .isEqualTo(
            Map.of(
                "things",
                5L,
                DomainSamples.INVALID_VALUES,
                3L,
                DomainSamples.DUPLICATE_SERIES,
                1L));
  }

  @Test
  void collectorBugsAreLoud() {
    var sink = DomainSamples.builder(Limits.DEFAULT);
    assertThatThrownBy(() -> sink.counter(G, 1, "x")).hasMessageContaining("GAUGE");
    assertThatThrownBy(() -> sink.gauge(G, 1)).hasMessageContaining("[name]");
    assertThatThrownBy(() -> new DomainSamples.Sample(G, List.of(), 1))
        .hasMessageContaining("[name]");
  }
}
