package io.qga.collectors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one collector read from one domain in one poll: immutable samples, and counts of items
 * dropped by {@link Limits}. The exporter caches the last one per domain and collector; a scrape
 * assembles them with {@link Exposition}, never waiting on a guest.
 */
public record DomainSamples(List<Sample> samples, Map<String, Long> dropped) {

  public DomainSamples {
    samples = List.copyOf(samples);
    dropped = Map.copyOf(dropped);
  }

  public static final DomainSamples EMPTY = new DomainSamples(List.of(), Map.of());

  /**
   * One value. {@code labels} are name/value pairs in order, already cleaned, never containing
   * {@code domain} (added by {@link Exposition}).
   */
  public record Sample(MetricFamily family, List<String> labels, double value) {
    public Sample {
      labels = List.copyOf(labels);
      if (labels.size() % 2 != 0) {
        throw new IllegalArgumentException("labels must be name/value pairs: " + labels);
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
    private final Map<String, Long> dropped = new TreeMap<>();

    Builder(Limits limits) {
      this.limits = limits;
    }

    @Override
    public void gauge(MetricFamily family, double value, String... labelPairs) {
      add(family, MetricFamily.Type.GAUGE, value, labelPairs);
    }

    @Override
    public void counter(MetricFamily family, double value, String... labelPairs) {
      add(family, MetricFamily.Type.COUNTER, value, labelPairs);
    }

    private void add(MetricFamily family, MetricFamily.Type type, double value, String[] pairs) {
      if (family.type() != type) {
        throw new IllegalArgumentException(family.name() + " is a " + family.type());
      }
      List<String> labels = new ArrayList<>(pairs.length);
      for (int i = 0; i < pairs.length; i++) {
        labels.add(i % 2 == 0 ? pairs[i] : LabelValues.clean(pairs[i], limits.maxLabelLength()));
      }
      samples.add(new Sample(family, labels, value));
    }

    @Override
    public void dropped(String what, long count) {
      if (count > 0) {
        dropped.merge(what, count, Long::sum);
      }
    }

    @Override
    public Limits limits() {
      return limits;
    }

    public DomainSamples build() {
      return new DomainSamples(samples, dropped);
    }
  }
}
