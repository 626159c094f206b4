package io.qga.collectors;

/**
 * Where a collector writes. Label values are cleaned (bounded length, valid UTF-8, no control
 * characters) by the sink, never by each collector. Implemented by {@link DomainSamples.Builder}.
 */
public interface SampleSink {

  /** A gauge sample; {@code labelPairs} are name, value, name, value ... (never {@code domain}). */
  void gauge(MetricFamily family, double value, String... labelPairs);

  /** A counter sample (the family's name has no {@code _total}; the exposition adds it). */
  void counter(MetricFamily family, double value, String... labelPairs);

  /** Records that {@code count} items of {@code what} (e.g. {@code interfaces}) were dropped. */
  void dropped(String what, long count);

  /** The limits in force, for collectors that cut lists. */
  Limits limits();
}
