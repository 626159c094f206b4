package io.qga.exporter.poll;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.qga.collectors.Exposition;
import io.qga.collectors.LabelValues;
import io.qga.collectors.MetricFamily;
import io.qga.exporter.poll.PolledDomain.Phase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a scrape sees of the poller. Per domain ({@link #domainSeries}, served as prepared text by
 * the metrics page): the collectors' cached series of every domain whose agent is up, and {@code
 * qga_up}, {@code qga_agent_info}, {@code qga_collector_success}, {@code _duration_seconds}, {@code
 * _last_success_timestamp_seconds}. Globally (this {@link MultiCollector}, through client_java):
 * {@code qga_discovered_domains}, {@code qga_poll_skipped_total} and {@code qga_poll_errors_total}.
 * Reads only cached values: a scrape never waits on a guest. A domain that is no longer discovered
 * is gone from the next scrape.
 */
public final class PollerMetrics implements MultiCollector {
  private static final Logger LOG = Logger.getLogger(PollerMetrics.class.getName());
  private static final List<String> ERROR_KINDS =
      List.of("timeout", "connection", "protocol", "agent_error", "internal");

  /** Owner of the poller's per-domain series in {@link Exposition#write}. */
  private static final String OWNER = "poller";

  static final MetricFamily UP =
      MetricFamily.gauge("qga_up", "1 when the last sync with the guest agent succeeded");
  static final MetricFamily AGENT_INFO =
      MetricFamily.gauge(
          "qga_agent_info", "Version of the guest agent (from guest-info); always 1", "version");
  static final MetricFamily DOMAIN_INFO =
      MetricFamily.gauge(
          "qga_domain_info",
          "How the exporter reaches the domain's agent (route: direct, libvirt_typed, libvirt_raw)"
              + " and which discovery source found it; always 1",
          "uuid",
          "route",
          "source");
  static final MetricFamily SUCCESS =
      MetricFamily.gauge(
          "qga_collector_success",
          "1 when the collector's last poll of the domain succeeded",
          "collector");
  static final MetricFamily DURATION =
      MetricFamily.gaugeIn(
          "seconds",
          "qga_collector_duration_seconds",
          "How long the collector's last poll took",
          "collector");
  static final MetricFamily LAST_SUCCESS =
      MetricFamily.gaugeIn(
          "seconds",
          "qga_collector_last_success_timestamp_seconds",
          "When the collector last polled the domain successfully, seconds since the epoch",
          "collector");

  private final Poller poller;
  private final AtomicBoolean domainSeriesFailureLogged = new AtomicBoolean();

  public PollerMetrics(Poller poller) {
    this.poller = poller;
  }

  @Override
  public MetricSnapshots collect() {
    List<PolledDomain> domains = poller.polledDomains();
    MetricSnapshots.Builder out = MetricSnapshots.builder();
    add(
        out,
        gauge("qga_discovered_domains", "How many domains discovery found")
            .dataPoint(point(domains.size()))
            .build());
    CounterSnapshot.Builder skipped =
        CounterSnapshot.builder()
            .name("qga_poll_skipped")
            .help(
                "Polls skipped because the previous poll of the same domain and collector was still"
                    + " queued or running");
    // Every enabled collector and every kind from 0, so rate() works from the first scrape.
    Map<String, Long> skips = new TreeMap<>();
    poller.settings().intervals().keySet().forEach(c -> skips.put(c, 0L));
    skips.putAll(poller.skippedPolls());
    skips.forEach((c, n) -> skipped.dataPoint(counter(n, "collector", c)));
    add(out, skipped.build());
    CounterSnapshot.Builder errors =
        CounterSnapshot.builder()
            .name("qga_poll_errors")
            .help(
                "Failed agent commands while polling, by kind (timeout, connection, protocol,"
                    + " agent_error, internal)");
    Map<String, Long> kinds = new TreeMap<>();
    for (String kind : ERROR_KINDS) {
      kinds.put(kind, 0L);
    }
    kinds.putAll(poller.pollErrors());
    kinds.forEach((k, n) -> errors.dataPoint(counter(n, "kind", k)));
    add(out, errors.build());
    return out.build();
  }

  /**
   * Every domain's series, for {@link Exposition#write}: the poller's own (written now, a few lines
   * per domain) and the collectors' (written when their poll ended) of every domain whose agent is
   * up and whose last poll of that collector succeeded (or was refused only because the guest is
   * frozen: those keep their last series, with {@code qga_collector_success 0}).
   */
  public List<Exposition.Prepared> domainSeries() {
    List<PolledDomain> domains = poller.polledDomains();
    List<Exposition.Prepared> out = new ArrayList<>(domains.size() * 8);
    Map<String, Map<String, CollectorLines>> nextCache = new HashMap<>();
    for (PolledDomain d : domains) {
      try {
        out.add(pollerSeries(d, nextCache));
      } catch (RuntimeException e) {
        // One broken domain never fails the whole scrape; log once, not on every scrape.
        if (domainSeriesFailureLogged.compareAndSet(false, true)) {
          LOG.log(
              Level.WARNING,
              "cannot write the series of domain " + d.name() + "; serving the rest",
              e);
        }
      }
    }
    linesCache = nextCache;
    for (PolledDomain d : domains) {
      if (d.phase() != Phase.UP) {
        continue;
      }
      // Collectors in name order: the first to bring a metric name owns it (see Exposition).
      d.collectorStates() // in name order
          .forEach(
              (collector, c) -> {
                if (c.exposes()) {
                  out.add(c.exposed());
                }
              });
    }
    return out;
  }

  /**
   * A collector's three series on a domain as text, kept while the collector's state object (new
   * after every poll) and the domain's phase stay the same: most collectors poll less often than
   * Prometheus scrapes, and formatting a thousand domains' timestamps on every scrape was most of a
   * scrape's cost.
   */
  private record CollectorLines(
      CollectorState state, boolean up, byte[] success, byte[] duration, byte[] lastSuccess) {}

  /** Domain to collector to its lines; replaced by each scrape, so gone domains drop out. */
  private volatile Map<String, Map<String, CollectorLines>> linesCache = Map.of();

  private Exposition.Prepared pollerSeries(
      PolledDomain d, Map<String, Map<String, CollectorLines>> nextCache) {
    String domain = d.name();
    Exposition.Lines s = new Exposition.Lines(domain, OWNER);
    Phase phase = d.phase();
    boolean up = phase == Phase.UP;
    s.add(UP, up ? 1 : 0);
    // ours, not the guest's: the libvirt name and UUID were cleaned by discovery
    s.add(DOMAIN_INFO, 1, d.uuid().orElse(""), d.route(), d.source());
    String version = d.state().version();
    if (!version.isEmpty()) {
      // the daemon's alone: it reads guest-info on every connect; the guest's words, so cleaned
      s.add(AGENT_INFO, 1, LabelValues.clean(version, poller.settings().limits().maxLabelLength()));
    }
    Map<String, CollectorLines> before = linesCache.getOrDefault(domain, Map.of());
    Map<String, CollectorLines> now = new HashMap<>();
    for (Map.Entry<String, CollectorState> e : d.collectorStates().entrySet()) { // name order
      CollectorState c = e.getValue();
      if (c.unsupported()) {
        continue; // a command the agent lacks produces no series
      }
      String collector = e.getKey(); // from config: a known collector's name
      CollectorLines lines = before.get(collector);
      if (lines == null || lines.state() != c || lines.up() != up) {
        lines =
            new CollectorLines(
                c,
                up,
                Exposition.line(SUCCESS, domain, up && c.success() ? 1 : 0, collector),
                Exposition.line(DURATION, domain, c.durationSeconds(), collector),
                c.lastSuccess() == null
                    ? null
                    : Exposition.line(LAST_SUCCESS, domain, seconds(c.lastSuccess()), collector));
      }
      now.put(collector, lines);
      s.add(SUCCESS, lines.success());
      s.add(DURATION, lines.duration());
      if (lines.lastSuccess() != null) {
        s.add(LAST_SUCCESS, lines.lastSuccess());
      }
    }
    nextCache.put(domain, now);
    return s.build();
  }

  private static void add(MetricSnapshots.Builder out, MetricSnapshot s) {
    if (!out.containsMetricName(s.getMetadata().getName())) {
      out.metricSnapshot(s);
    }
  }

  private static GaugeSnapshot.Builder gauge(String name, String help) {
    return GaugeSnapshot.builder().name(name).help(help);
  }

  static GaugeDataPointSnapshot point(double value, String... labels) {
    return GaugeDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build();
  }

  private static CounterDataPointSnapshot counter(double value, String... labels) {
    return CounterDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build();
  }

  private static double seconds(Instant t) {
    return t.toEpochMilli() / 1000.0;
  }
}
