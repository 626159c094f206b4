package io.qga.exporter.poll;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import io.qga.collectors.Exposition;
import io.qga.exporter.poll.PolledDomain.CollectorState;
import io.qga.exporter.poll.PolledDomain.Phase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a scrape sees of the poller: the cached samples of every domain whose agent is up
 * (assembled by {@link Exposition}) plus the poller's own series: per domain {@code qga_up},
 * {@code qga_agent_info}, {@code qga_collector_success}, {@code _duration_seconds}, {@code
 * _last_success_timestamp_seconds}; globally {@code qga_discovered_domains}, {@code
 * qga_poll_skipped_total} and {@code qga_poll_errors_total}. Reads only cached values: a scrape
 * never waits on a guest. A domain that is no longer discovered is gone from the next scrape.
 */
public final class PollerMetrics implements MultiCollector {
  private static final Logger LOG = Logger.getLogger(PollerMetrics.class.getName());
  private static final List<String> ERROR_KINDS =
      List.of("timeout", "connection", "protocol", "agent_error", "internal");
  private final Poller poller;
  private final AtomicBoolean expositionFailureLogged = new AtomicBoolean();

  public PollerMetrics(Poller poller) {
    this.poller = poller;
  }

  @Override
  public MetricSnapshots collect() {
    List<PolledDomain> domains = poller.polledDomains();
    MetricSnapshots.Builder out = MetricSnapshots.builder();
    for (MetricSnapshot s : guestSnapshots(domains)) {
      out.metricSnapshot(s);
    }

    GaugeSnapshot.Builder up = gauge("qga_up", "1 when the last sync with the guest agent succeeded");
    GaugeSnapshot.Builder info =
        gauge("qga_agent_info", "Version of the guest agent (from guest-info); always 1");
    GaugeSnapshot.Builder success =
        gauge("qga_collector_success", "1 when the collector's last poll of the domain succeeded");
    GaugeSnapshot.Builder duration =
        gauge("qga_collector_duration_seconds", "How long the collector's last poll took")
            .unit(Unit.SECONDS);
    GaugeSnapshot.Builder lastSuccess =
        gauge(
                "qga_collector_last_success_timestamp_seconds",
                "When the collector last polled the domain successfully, seconds since the epoch")
            .unit(Unit.SECONDS);
    for (PolledDomain d : domains) {
      String domain = d.name();
      Phase phase = d.phase();
      up.dataPoint(point(phase == Phase.UP ? 1 : 0, "domain", domain));
      String version = d.state().version();
      if (!version.isEmpty()) {
        info.dataPoint(point(1, "domain", domain, "version", version));
      }
      for (Map.Entry<String, CollectorState> e : new TreeMap<>(d.collectorStates()).entrySet()) {
        CollectorState c = e.getValue();
        if (c.unsupported()) {
          continue; // a command the agent lacks produces no series
        }
        String collector = e.getKey();
        success.dataPoint(
            point(phase == Phase.UP && c.success() ? 1 : 0, "domain", domain, "collector", collector));
        duration.dataPoint(point(c.durationSeconds(), "domain", domain, "collector", collector));
        if (c.lastSuccess() != null) {
          lastSuccess.dataPoint(
              point(seconds(c.lastSuccess()), "domain", domain, "collector", collector));
        }
      }
    }
    add(out, up.build());
    add(out, info.build()); // the daemon's alone: it reads guest-info on every connect
    add(out, success.build());
    add(out, duration.build());
    add(out, lastSuccess.build());

    add(
        out,
        gauge("qga_discovered_domains", "How many domains discovery found")
            .dataPoint(point(domains.size()))
            .build());
    CounterSnapshot.Builder skipped =
        CounterSnapshot.builder()
            .name("qga_poll_skipped")
            .help("Polls skipped because the previous poll of the same domain and collector was still queued or running");
    // Every enabled collector and every kind from 0, so rate() works from the first scrape.
    Map<String, Long> skips = new TreeMap<>();
    poller.settings().intervals().keySet().forEach(c -> skips.put(c, 0L));
    skips.putAll(poller.skippedPolls());
    skips.forEach((c, n) -> skipped.dataPoint(counter(n, "collector", c)));
    add(out, skipped.build());
    CounterSnapshot.Builder errors =
        CounterSnapshot.builder()
            .name("qga_poll_errors")
            .help("Failed agent commands while polling, by kind (timeout, connection, protocol, agent_error, internal)");
    Map<String, Long> kinds = new TreeMap<>();
    for (String kind : ERROR_KINDS) {
      kinds.put(kind, 0L);
    }
    kinds.putAll(poller.pollErrors());
    kinds.forEach((k, n) -> errors.dataPoint(counter(n, "kind", k)));
    add(out, errors.build());
    return out.build();
  }

  /** The collectors' series of every domain whose agent is up and whose last poll succeeded. */
  private MetricSnapshots guestSnapshots(List<PolledDomain> domains) {
    List<Exposition.Prepared> prepared = new ArrayList<>();
    for (PolledDomain d : domains) {
      if (d.phase() != Phase.UP) {
        continue;
      }
      // Collectors in name order: the first to bring a metric name owns it (see Exposition).
      new TreeMap<>(d.collectorStates())
          .forEach(
              (collector, c) -> {
                if (c.success() && !c.unsupported() && c.exposed() != null) {
                  prepared.add(c.exposed());
                }
              });
    }
    try {
      return Exposition.snapshots(prepared);
    } catch (RuntimeException e) {
      // One broken part never fails the whole scrape; log once, not on every scrape.
      if (expositionFailureLogged.compareAndSet(false, true)) {
        LOG.log(Level.WARNING, "cannot assemble the collectors' series; serving the rest", e);
      }
      return MetricSnapshots.of();
    }
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
