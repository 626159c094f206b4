package io.qga.collectors;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

/** Test helpers: samples to Prometheus text, as /metrics would serve them. */
final class Texts {
  /** The host clock of the fixture tests. */
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T00:00:00Z"), ZoneOffset.UTC);

  private Texts() {}

  static String text(MetricSnapshots snapshots) {
    var out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, snapshots);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** One collector polled on one domain named {@code vm}, as text. */
  static String text(String collector, DomainSamples samples) {
    return text(Exposition.snapshots(Map.of("vm", Map.of(collector, samples))));
  }

  /** Polls {@code collector} against the flavour's fixtures with default limits; as text. */
  static String poll(Collector collector, String flavour) {
    FixtureChannel channel = new FixtureChannel(flavour);
    return text(
        collector.name(), collector.poll(channel.agent(), channel.context(Limits.DEFAULT, CLOCK)));
  }
}
