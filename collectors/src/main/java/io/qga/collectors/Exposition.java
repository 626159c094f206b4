package io.qga.collectors;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Map;

/**
 * Assembles the cached samples of every domain into one {@link MetricSnapshots}: one family per
 * metric name, the {@code domain} label first on every data point, families and points in a
 * stable order. Pure; called on every scrape.
 */
public final class Exposition {
  private Exposition() {}

  /**
   * @param byDomain domain name to the samples of each of its collectors
   */
  public static MetricSnapshots snapshots(Map<String, ? extends Iterable<DomainSamples>> byDomain) {
    throw new UnsupportedOperationException("implemented by the collectors work");
  }
}
