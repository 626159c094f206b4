package io.qga.collectors;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Assembles the cached samples of every domain into one {@link MetricSnapshots}: one family per
 * metric name, the {@code domain} label on every data point, and the drop counts of the last
 * poll as {@code qga_collector_dropped_items{domain,collector,kind}}.
 *
 * <p>Two steps, because a scrape must stay cheap at a thousand domains: {@link #prepare} turns
 * one collector's samples of one domain into data points (label sets built and checked by
 * client_java once), when the poll that made them ends; {@link #snapshots(Iterable)} only
 * groups the prepared points of every domain by metric name, on every scrape. Building the
 * label sets on every scrape instead cost more than half of a scrape's CPU.
 *
 * <p>Order: client_java sorts families by name, label names within a series, and data points
 * by their labels, so the text is stable whatever the order of the input. (Label names come out
 * alphabetically, not {@code domain} first; Prometheus does not care.)
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
   * One collector's samples of one domain as data points, immutable, ready for any number of
   * scrapes.
   */
  public static final class Prepared {
    private final String collector;
    private final List<Points> families;

    private Prepared(String collector, List<Points> families) {
      this.collector = collector;
      this.families = families;
    }

    /** Data points in this domain's series. */
    public int size() {
      int n = 0;
      for (Points p : families) {
        n += p.points.size();
      }
      return n;
    }
  }

  private record Points(MetricFamily family, List<DataPointSnapshot> points) {}

  /**
   * The data points of {@code samples} (what {@code collector} read from {@code domain}), with
   * the {@code domain} label, and its drop counts.
   */
  public static Prepared prepare(String domain, String collector, DomainSamples samples) {
    Map<MetricFamily, List<DataPointSnapshot>> byFamily = new LinkedHashMap<>();
    MetricFamily previous = null;
    List<DataPointSnapshot> target = null;
    for (DomainSamples.Sample sample : samples.samples()) {
      MetricFamily family = sample.family();
      if (family != previous) {
        target = byFamily.computeIfAbsent(family, f -> new ArrayList<>());
        previous = family;
      }
      target.add(point(family, domain, sample.labelValues().toArray(String[]::new), sample.value()));
    }
    if (!samples.dropped().isEmpty()) {
      List<DataPointSnapshot> dropped = byFamily.computeIfAbsent(DROPPED_ITEMS, f -> new ArrayList<>());
      samples
          .dropped()
          .forEach(
              (kind, count) ->
                  dropped.add(point(DROPPED_ITEMS, domain, new String[] {collector, kind}, count)));
    }
    List<Points> families = new ArrayList<>(byFamily.size());
    byFamily.forEach((family, points) -> families.add(new Points(family, List.copyOf(points))));
    return new Prepared(collector, List.copyOf(families));
  }

  private static DataPointSnapshot point(
      MetricFamily family, String domain, String[] labelValues, double value) {
    String[] names = new String[labelValues.length + 1];
    String[] values = new String[labelValues.length + 1];
    names[0] = MetricFamily.DOMAIN;
    values[0] = domain;
    List<String> familyNames = family.labelNames();
    for (int i = 0; i < labelValues.length; i++) {
      names[i + 1] = familyNames.get(i);
      values[i + 1] = labelValues[i];
    }
    Labels labels = Labels.of(names, values);
    return family.type() == MetricFamily.Type.COUNTER
        ? new CounterDataPointSnapshot(value, labels, null, 0)
        : new GaugeDataPointSnapshot(value, labels, null);
  }

  /**
   * Every prepared domain's series, one family per metric name. A metric name is taken from
   * the first collector that brings it; the same name from another collector is a bug and
   * skipped. (Each drop count names its collector, so those are never skipped.)
   */
  public static MetricSnapshots snapshots(Iterable<Prepared> prepared) {
    Map<String, Family> families = new HashMap<>();
    for (Prepared p : prepared) {
      if (p == null) {
        continue;
      }
      for (Points points : p.families) {
        MetricFamily family = points.family();
        Family target = families.computeIfAbsent(family.name(), n -> new Family(family));
        if (family == DROPPED_ITEMS) {
          target.points.addAll(points.points());
        } else if (target.owner == null || target.owner.equals(p.collector)) {
          target.owner = p.collector;
          target.points.addAll(points.points());
        }
      }
    }
    List<MetricSnapshot> out = new ArrayList<>(families.size());
    for (Family family : families.values()) {
      out.add(family.snapshot());
    }
    return new MetricSnapshots(out);
  }

  /**
   * Prepares and assembles in one go (tests, benchmarks).
   *
   * @param byDomain domain name to collector name to that collector's last samples; a domain
   *     absent from the map has no series
   */
  public static MetricSnapshots snapshots(
      Map<String, ? extends Map<String, DomainSamples>> byDomain) {
    List<Prepared> prepared = new ArrayList<>();
    for (Map.Entry<String, ? extends Map<String, DomainSamples>> domain : byDomain.entrySet()) {
      if (domain.getKey() == null || domain.getValue() == null) {
        continue;
      }
      for (Map.Entry<String, DomainSamples> collector : sorted(domain.getValue()).entrySet()) {
        if (collector.getValue() != null) {
          prepared.add(prepare(domain.getKey(), collector.getKey(), collector.getValue()));
        }
      }
    }
    return snapshots(prepared);
  }

  private static <V> SortedMap<String, V> sorted(Map<String, V> map) {
    return map instanceof SortedMap<String, V> s && s.comparator() == null ? s : new TreeMap<>(map);
  }

  /** The data points of one metric name across every domain. */
  private static final class Family {
    final MetricFamily family;
    final List<DataPointSnapshot> points = new ArrayList<>();
    /** The collector whose samples this family takes; another collector's are a bug, skipped. */
    String owner;

    Family(MetricFamily family) {
      this.family = family;
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
