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
   * Every domain's series, for {@link Exposition#write}: the poller's own (a few lines per domain,
   * written again only when something in them changed, see {@link DomainLines}) and the collectors'
   * (written when their poll ended) of every domain whose agent is up and whose last poll of that
   * collector succeeded (or was refused only because the guest is frozen: those keep their last
   * series, with {@code qga_collector_success 0}).
   */
  public List<Exposition.Prepared> domainSeries() {
    List<PolledDomain> domains = poller.polledDomains();
    List<Exposition.Prepared> out = new ArrayList<>(domains.size() * 8);
    Map<String, DomainLines> nextCache = new HashMap<>();
    for (PolledDomain d : domains) {
      try {
        DomainLines lines = pollerSeries(d);
        nextCache.put(d.name(), lines);
        out.add(lines.text());
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
   * Prometheus scrapes. An unsupported collector has no lines (all null).
   */
  private record CollectorLines(
      String collector,
      CollectorState state,
      boolean up,
      byte[] success,
      byte[] duration,
      byte[] lastSuccess) {}

  /**
   * A domain's poller series as text and everything they were written from: served again by every
   * scrape while all of it holds, so a scrape copies them like the collectors' prepared text
   * instead of writing a few lines per domain. Each input is compared by identity where a change
   * makes a new object (the target, each collector's state after every poll).
   */
  private record DomainLines(
      PollTarget target,
      boolean up,
      String version,
      int maxLabelLength,
      List<CollectorLines> collectors,
      Exposition.Prepared text) {

    /** The text would be the same: same target, phase, agent version and collector states. */
    boolean holds(
        PollTarget target,
        boolean up,
        String version,
        int maxLabelLength,
        Map<String, CollectorState> states) {
      if (target != this.target
          || up != this.up
          || maxLabelLength != this.maxLabelLength
          || !version.equals(this.version)) {
        return false;
      }
      int i = 0;
      for (Map.Entry<String, CollectorState> e : states.entrySet()) { // name order
        if (i == collectors.size()) {
          return false;
        }
        CollectorLines c = collectors.get(i++);
        if (c.state() != e.getValue() || !c.collector().equals(e.getKey())) {
          return false;
        }
      }
      return i == collectors.size();
    }
  }

  /** Domain name to its lines; replaced by each scrape, so gone domains drop out. */
  private volatile Map<String, DomainLines> linesCache = Map.of();

  private DomainLines pollerSeries(PolledDomain d) {
    String domain = d.name();
    PollTarget target = d.target();
    boolean up = d.phase() == Phase.UP;
    String version = d.state().version();
    int maxLabelLength = poller.settings().limits().maxLabelLength();
    Map<String, CollectorState> states = d.collectorStates(); // live, in name order
    DomainLines before = linesCache.get(domain);
    if (before != null && before.holds(target, up, version, maxLabelLength, states)) {
      return before;
    }
    Map<String, CollectorLines> kept = new HashMap<>();
    if (before != null) {
      before.collectors().forEach(c -> kept.put(c.collector(), c));
    }
    Exposition.Lines s = new Exposition.Lines(domain, OWNER);
    s.add(UP, up ? 1 : 0);
    // ours, not the guest's: the libvirt name and UUID were cleaned by discovery
    s.add(DOMAIN_INFO, 1, target.uuid().orElse(""), target.route(), target.source());
    if (!version.isEmpty()) {
      // the daemon's alone: it reads guest-info on every connect; the guest's words, so cleaned
      s.add(AGENT_INFO, 1, LabelValues.clean(version, maxLabelLength));
    }
    List<CollectorLines> now = new ArrayList<>(states.size());
    for (Map.Entry<String, CollectorState> e : states.entrySet()) { // name order
      String collector = e.getKey(); // from config: a known collector's name
      CollectorState c = e.getValue();
      CollectorLines lines = kept.get(collector);
      if (lines == null || lines.state() != c || lines.up() != up) {
        lines = lines(domain, collector, c, up);
      }
      now.add(lines);
      if (lines.success() != null) {
        s.add(SUCCESS, lines.success());
        s.add(DURATION, lines.duration());
      }
      if (lines.lastSuccess() != null) {
        s.add(LAST_SUCCESS, lines.lastSuccess());
      }
    }
    return new DomainLines(target, up, version, maxLabelLength, List.copyOf(now), s.build());
  }

  private static CollectorLines lines(
      String domain, String collector, CollectorState c, boolean up) {
    if (c.unsupported()) {
      // a command the agent lacks produces no series
      return new CollectorLines(collector, c, up, null, null, null);
    }
    return new CollectorLines(
        collector,
        c,
        up,
        Exposition.line(SUCCESS, domain, up && c.success() ? 1 : 0, collector),
        Exposition.line(DURATION, domain, c.durationSeconds(), collector),
        c.lastSuccess() == null
            ? null
            : Exposition.line(LAST_SUCCESS, domain, seconds(c.lastSuccess()), collector));
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
