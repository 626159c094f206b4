package io.qga.collectors;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Assembles the cached samples of every domain into one {@link MetricSnapshots}: one family per
 * metric name, the {@code domain} label on every data point, and the drop counts of the last
 * poll as {@code qga_collector_dropped_items{domain,collector,kind}}. Pure and stateless; called
 * on every scrape, so it does one pass over the samples and nothing per sample beyond building
 * its data point.
 *
 * <p>Order: client_java sorts families by name, label names within a series, and data points
 * by their labels, so the text is stable whatever the order of the input maps. (Label names
 * come out alphabetically, not {@code domain} first; Prometheus does not care.)
 */
public final class Exposition {
  private Exposition() {}

  /** Items a collector dropped in its last poll of the domain, by kind. */
  public static final MetricFamily DROPPED_ITEMS =
      MetricFamily.gauge(
          "qga_collector_dropped_items",
          "Items the guest reported that the collector's last poll dropped: beyond a limit"
              + " (kind interfaces, addresses, filesystems, users, disks, cpus), invalid values,"
              + " or duplicate series.",
          "collector",
          "kind");

  /**
   * @param byDomain domain name to collector name to that collector's last samples; a domain
   *     absent from the map has no series
   */
  public static MetricSnapshots snapshots(
      Map<String, ? extends Map<String, DomainSamples>> byDomain) {
    Map<String, Family> families = new HashMap<>();
    for (Map.Entry<String, ? extends Map<String, DomainSamples>> domain : byDomain.entrySet()) {
      String domainName = domain.getKey();
      if (domainName == null || domain.getValue() == null) {
        continue;
      }
      for (Map.Entry<String, DomainSamples> collector : sorted(domain.getValue()).entrySet()) {
        DomainSamples samples = collector.getValue();
        if (samples == null) {
          continue;
        }
        Family previous = null;
        for (DomainSamples.Sample sample : samples.samples()) {
          MetricFamily family = sample.family();
          Family target = previous;
          if (target == null || target.family != family) {
            target = families.computeIfAbsent(family.name(), n -> new Family(family));
            previous = target;
          }
          target.add(collector.getKey(), domainName, sample.labelValues(), sample.value());
        }
        if (!samples.dropped().isEmpty()) {
          Family dropped =
              families.computeIfAbsent(DROPPED_ITEMS.name(), n -> new Family(DROPPED_ITEMS));
          samples
              .dropped()
              .forEach(
                  (kind, count) ->
                      dropped.addTrusted(
                          domainName, new String[] {collector.getKey(), kind}, count));
        }
      }
    }
    List<MetricSnapshot> out = new ArrayList<>(families.size());
    for (Family family : families.values()) {
      out.add(family.snapshot());
    }
    return new MetricSnapshots(out);
  }

  private static <V> SortedMap<String, V> sorted(Map<String, V> map) {
    return map instanceof SortedMap<String, V> s && s.comparator() == null ? s : new TreeMap<>(map);
  }

  /** The data points of one metric name across every domain. */
  private static final class Family {
    final MetricFamily family;
    final String[] labelNames;
    final List<Object> points = new ArrayList<>();
    /** The collector whose samples this family takes; another collector's are a bug, skipped. */
    String owner;

    Family(MetricFamily family) {
      this.family = family;
      labelNames = new String[family.labelNames().size() + 1];
      labelNames[0] = MetricFamily.DOMAIN;
      for (int i = 1; i < labelNames.length; i++) {
        labelNames[i] = family.labelNames().get(i - 1);
      }
    }

    void add(String collector, String domain, List<String> labelValues, double value) {
      if (owner == null) {
        owner = collector;
      } else if (!owner.equals(collector)) {
        return;
      }
      String[] values = new String[labelNames.length];
      values[0] = domain;
      for (int i = 1; i < values.length; i++) {
        values[i] = labelValues.get(i - 1);
      }
      addPoint(values, value);
    }

    void addTrusted(String domain, String[] labelValues, double value) {
      String[] values = new String[labelNames.length];
      values[0] = domain;
      System.arraycopy(labelValues, 0, values, 1, labelValues.length);
      addPoint(values, value);
    }

    private void addPoint(String[] values, double value) {
      Labels labels = Labels.of(labelNames, values);
      points.add(
          family.type() == MetricFamily.Type.COUNTER
              ? new CounterDataPointSnapshot(value, labels, null, 0)
              : new GaugeDataPointSnapshot(value, labels, null));
    }

    @SuppressWarnings("unchecked")
    MetricSnapshot snapshot() {
      Unit unit = family.unit() == null ? null : new Unit(family.unit());
      MetricMetadata metadata = new MetricMetadata(family.name(), family.help(), unit);
      return family.type() == MetricFamily.Type.COUNTER
          ? new CounterSnapshot(metadata, (List<CounterDataPointSnapshot>) (List<?>) points)
          : new GaugeSnapshot(metadata, (List<GaugeDataPointSnapshot>) (List<?>) points);
    }
  }
}
