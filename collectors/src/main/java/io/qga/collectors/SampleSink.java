package io.qga.collectors;

/**
 * Where a collector writes. The sink, not each collector, enforces what a guest must not control:
 * label values are cleaned ({@link LabelValues#clean}, bounded by {@link Limits#maxLabelLength}), a
 * value that is NaN or infinite (or negative, for a counter) is skipped and counted as {@code
 * invalid_values}, and a second sample of the same series (two interfaces of one name, two values
 * cut to the same label) is skipped and counted as {@code duplicate_series}. Implemented by {@link
 * DomainSamples.Builder}.
 */
public interface SampleSink {

  /** A gauge sample; one label value per {@link MetricFamily#labelNames()}, in that order. */
  void gauge(MetricFamily family, double value, String... labelValues);

  /** A counter sample (the family's name has no {@code _total}; the exposition adds it). */
  void counter(MetricFamily family, double value, String... labelValues);

  /** Records that {@code count} items of {@code kind} (e.g. {@code interfaces}) were dropped. */
  void dropped(String kind, long count);

  /**
   * Keeps what the collector decoded (already bounded) for the control API and the policy engine;
   * the last call of a poll wins.
   */
  void keep(GuestRecord record);

  /** The limits in force, for collectors that cut lists. */
  Limits limits();
}
