package io.qga.collectors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one collector read from one domain in one poll: immutable samples, counts of items dropped
 * (by {@link Limits}, or invalid) by kind, and the decoded reply the collector kept for the control
 * API and the policies ({@code record}, null when it keeps none). The exporter caches the last one
 * per domain and collector; a scrape assembles them with {@link Exposition}, never waiting on a
 * guest.
 */
public record DomainSamples(List<Sample> samples, Map<String, Long> dropped, GuestRecord record) {

  public static final DomainSamples EMPTY = new DomainSamples(List.of(), Map.of());

  /** Drop kinds the sink itself records (collectors add their own, e.g. {@code interfaces}). */
  public static final String INVALID_VALUES = "invalid_values";

  public static final String DUPLICATE_SERIES = "duplicate_series";

  public DomainSamples {
    samples = List.copyOf(samples);
    dropped = Map.copyOf(dropped);
  }

  public DomainSamples(List<Sample> samples, Map<String, Long> dropped) {
    this(samples, dropped, null);
  }

  /**
   * One value. {@code labelValues} match {@code family.labelNames()} one to one, already cleaned;
   * {@code domain} is not among them (added by {@link Exposition}).
   */
  public record Sample(MetricFamily family, List<String> labelValues, double value) {
    public Sample {
      labelValues = List.copyOf(labelValues);
      if (labelValues.size() != family.labelNames().size()) {
        throw new IllegalArgumentException(
            family.name()
                + " takes labels "
                + family.labelNames()
                + ", got "
                + labelValues.size()
                + " values");
      }
    }
  }

  public static Builder builder(Limits limits) {
    return new Builder(limits);
  }

  /** The {@link SampleSink} collectors write to. Not thread-safe: one per collect call. */
  public static final class Builder implements SampleSink {
    private final Limits limits;
    private final List<Sample> samples = new ArrayList<>();
    private final Set<Series> series = new HashSet<>();
    private final Map<String, Long> dropped = new TreeMap<>();
    private GuestRecord record;

    private record Series(String family, List<String> labelValues) {}

    Builder(Limits limits) {
      this.limits = java.util.Objects.requireNonNull(limits, "limits");
    }

    @Override
    public void gauge(MetricFamily family, double value, String... labelValues) {
      add(family, MetricFamily.Type.GAUGE, value, labelValues);
    }

    @Override
    public void counter(MetricFamily family, double value, String... labelValues) {
      add(family, MetricFamily.Type.COUNTER, value, labelValues);
    }

    private void add(MetricFamily family, MetricFamily.Type type, double value, String[] values) {
      if (family.type() != type) {
        throw new IllegalArgumentException(family.name() + " is a " + family.type());
      }
      if (values.length != family.labelNames().size()) {
        // a bug in a collector, not guest input
        throw new IllegalArgumentException(
            family.name()
                + " takes labels "
                + family.labelNames()
                + ", got "
                + Arrays.asList(values));
      }
      if (!Double.isFinite(value) || (type == MetricFamily.Type.COUNTER && value < 0)) {
        dropped(INVALID_VALUES, 1);
        return;
      }
      String[] clean = new String[values.length];
      for (int i = 0; i < values.length; i++) {
        clean[i] = LabelValues.clean(values[i], limits.maxLabelLength());
      }
      List<String> labels = List.of(clean);
      if (!series.add(new Series(family.name(), labels))) {
        dropped(DUPLICATE_SERIES, 1);
        return;
      }
      samples.add(new Sample(family, labels, value));
    }

    @Override
    public void dropped(String kind, long count) {
      if (count > 0) {
        dropped.merge(kind, count, Long::sum);
      }
    }

    @Override
    public void keep(GuestRecord record) {
      this.record = record;
    }

    @Override
    public Limits limits() {
      return limits;
    }

    public DomainSamples build() {
      return new DomainSamples(samples, dropped, record);
    }
  }
}
