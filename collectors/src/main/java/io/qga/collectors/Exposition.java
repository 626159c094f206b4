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
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Assembles the cached samples of every domain: one family per metric name, the {@code domain}
 * label on every series, and the drop counts of the last poll as {@code
 * qga_collector_dropped_items{domain,collector,kind}}.
 *
 * <p>Two ways, one result. The daemon's scrape path: {@link #prepare} writes one collector's
 * samples of one domain as text lines ({@link SeriesText}) once, when the poll that made them ends;
 * {@link #write} groups the prepared lines of every domain by metric name under one header on every
 * scrape, copying bytes only. {@link #snapshots} builds client_java snapshots of the same series
 * (tests check that both agree, byte for byte, through client_java's writers).
 *
 * <p>Order: client_java sorts families by name, label names within a series, and data points by
 * their labels, so the text is stable whatever the order of the input maps. (Label names come out
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
   * One collector's samples of one domain as text lines, per metric family; immutable, written
   * once, copied by every scrape until the domain's next poll of that collector.
   */
  public static final class Prepared {
    private final String owner;
    private final List<Fragment> fragments;

    private Prepared(String owner, List<Fragment> fragments) {
      this.owner = owner;
      this.fragments = fragments;
    }
  }

  /** Lines of one family: {@code length} bytes of {@code text} from {@code offset}. */
  private record Fragment(MetricFamily family, byte[] text, int offset, int length) {}

  /** The fragments of one metric name across domains, and the owner that brought it first. */
  private static final class Group {
    final MetricFamily family;
    final String owner;
    final List<Fragment> fragments = new ArrayList<>();

    Group(MetricFamily family, String owner) {
      this.family = family;
      this.owner = owner;
    }
  }

  /**
   * One domain's series written as text lines: what the poller writes directly for its own
   * per-domain state (no samples kept; the caller keeps {@link DomainSamples}'s rules itself).
   * {@link #build} copies the lines into one array, a fragment per family: a scrape then groups a
   * few fragments per domain instead of one per line.
   */
  public static final class Lines {
    private final String domain;
    private final String owner;
    private final List<Fragment> fragments = new ArrayList<>();

    public Lines(String domain, String owner) {
      this.domain = domain;
      this.owner = owner;
    }

    /**
     * One series.
     *
     * @param labelValues clean already ({@link LabelValues#clean}), one per family label
     */
    public Lines add(MetricFamily family, double value, String... labelValues) {
      return add(family, line(family, domain, value, labelValues));
    }

    /** Lines written earlier by {@link #line} for this domain (kept while their value holds). */
    public Lines add(MetricFamily family, byte[] lines) {
      fragments.add(new Fragment(family, lines, 0, lines.length));
      return this;
    }

    public Prepared build() {
      List<MetricFamily> families = new ArrayList<>(8);
      int size = 0;
      for (Fragment f : fragments) {
        if (!families.contains(f.family())) {
          families.add(f.family());
        }
        size += f.length();
      }
      byte[] text = new byte[size];
      List<Fragment> out = new ArrayList<>(families.size());
      int at = 0;
      for (MetricFamily family : families) {
        int start = at;
        for (Fragment f : fragments) {
          if (f.family().equals(family)) {
            System.arraycopy(f.text(), f.offset(), text, at, f.length());
            at += f.length();
          }
        }
        out.add(new Fragment(family, text, start, at - start));
      }
      return new Prepared(owner, List.copyOf(out));
    }
  }

  /**
   * One series as a line of text.
   *
   * @param labelValues clean already ({@link LabelValues#clean}), one per family label
   */
  public static byte[] line(
      MetricFamily family, String domain, double value, String... labelValues) {
    TextBytes out = new TextBytes(128);
    SeriesText.sample(
        out,
        SeriesText.shape(family),
        SeriesText.labelValue(domain),
        Arrays.asList(labelValues),
        value);
    return out.toArray();
  }

  /**
   * The lines of {@code samples}, what {@code collector} (or another owner of series, such as the
   * poller) read from {@code domain}, and of its drop counts: one array for all, a fragment per
   * family in the order the families first appear.
   */
  public static Prepared prepare(String domain, String collector, DomainSamples samples) {
    List<DomainSamples.Sample> all = samples.samples();
    byte[] domainText = SeriesText.labelValue(domain);
    TextBytes out = new TextBytes((all.size() + samples.dropped().size()) * 96);
    // the families in order of first appearance, and each sample's family among them
    List<MetricFamily> families = new ArrayList<>(8);
    int[] familyOf = new int[all.size()];
    for (int i = 0; i < all.size(); i++) {
      MetricFamily f = all.get(i).family();
      int k = i > 0 && all.get(i - 1).family() == f ? familyOf[i - 1] : families.indexOf(f);
      if (k < 0) {
        k = families.size();
        families.add(f);
      }
      familyOf[i] = k;
    }
    int[] starts = new int[families.size() + 1];
    for (int k = 0; k < families.size(); k++) {
      starts[k] = out.size();
      SeriesText.LineShape shape = SeriesText.shape(families.get(k));
      for (int i = 0; i < all.size(); i++) {
        if (familyOf[i] == k) {
          DomainSamples.Sample sample = all.get(i);
          SeriesText.sample(out, shape, domainText, sample.labelValues(), sample.value());
        }
      }
    }
    int droppedStart = out.size();
    if (!samples.dropped().isEmpty()) {
      SeriesText.LineShape shape = SeriesText.shape(DROPPED_ITEMS);
      samples
          .dropped()
          .forEach(
              (kind, count) ->
                  SeriesText.sample(out, shape, domainText, List.of(collector, kind), count));
    }
    starts[families.size()] = droppedStart;
    byte[] text = out.toArray();
    List<Fragment> fragments = new ArrayList<>(families.size() + 1);
    for (int k = 0; k < families.size(); k++) {
      fragments.add(new Fragment(families.get(k), text, starts[k], starts[k + 1] - starts[k]));
    }
    if (text.length > droppedStart) {
      fragments.add(new Fragment(DROPPED_ITEMS, text, droppedStart, text.length - droppedStart));
    }
    return new Prepared(collector, List.copyOf(fragments));
  }

  /**
   * Writes every prepared domain's series, families in name order, each under one header. A metric
   * name belongs to the first owner that brings it; the same name from another owner is a bug and
   * skipped (each drop count names its collector, so those are always kept).
   *
   * @return the metric names written, so the rest of the page can leave them out
   */
  public static Set<String> write(
      OutputStream out, SeriesText.Format format, Iterable<Prepared> prepared) throws IOException {
    return write(out, format, prepared, null);
  }

  /**
   * As {@link #write(OutputStream, SeriesText.Format, Iterable)}, only the families whose name (or,
   * for a counter, name with {@code _total}) {@code keep} accepts; null keeps all.
   */
  public static Set<String> write(
      OutputStream out,
      SeriesText.Format format,
      Iterable<Prepared> prepared,
      java.util.function.Predicate<String> keep)
      throws IOException {
    // One lookup per fragment: a scrape at a thousand domains groups ~30 000 of them.
    Map<String, Group> groups = new HashMap<>();
    for (Prepared p : prepared) {
      if (p == null) {
        continue;
      }
      for (Fragment f : p.fragments) {
        String name = f.family().name();
        Group g = groups.get(name);
        if (g == null) {
          g = new Group(f.family(), p.owner);
          groups.put(name, g);
        }
        if (f.family() == DROPPED_ITEMS || g.owner.equals(p.owner)) {
          g.fragments.add(f);
        }
      }
    }
    Map<String, Group> sorted = new TreeMap<>();
    groups.forEach(
        (name, g) -> {
          boolean wanted =
              keep == null
                  || keep.test(name)
                  || (g.family.type() == MetricFamily.Type.COUNTER && keep.test(name + "_total"));
          if (wanted) {
            sorted.put(name, g);
          }
        });
    for (Group g : sorted.values()) {
      SeriesText.header(out, g.family, format);
      for (Fragment f : g.fragments) {
        out.write(f.text(), f.offset(), f.length());
      }
    }
    return sorted.keySet();
  }

  /**
   * The same series as client_java snapshots (tests, tools); the daemon serves {@link #write}.
   *
   * @param byDomain domain name to collector name to that collector's last samples; a domain absent
   *     from the map has no series
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
