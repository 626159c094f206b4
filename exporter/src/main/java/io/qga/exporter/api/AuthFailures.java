package io.qga.exporter.api;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Failed authentications: counted in {@code qga_api_auth_failures_total{reason}} and logged at most
 * once per source address per minute, each line saying how many failures from that address went
 * unlogged since the previous one. A token-guessing loop shows in metrics and the log without
 * flooding either; at most {@link #MAX_SOURCES} addresses are tracked, the rest share one line.
 */
final class AuthFailures implements MultiCollector {
  private static final Logger LOG = Logger.getLogger(AuthFailures.class.getName());
  static final Duration WINDOW = Duration.ofMinutes(1);
  static final int MAX_SOURCES = 1024;
  private static final String OTHERS = "other addresses";

  /** Why a request was refused. */
  enum Reason {
    /** No Authorization header. */
    MISSING,
    /** An Authorization header that is not "Bearer TOKEN". */
    MALFORMED,
    /** A bearer token that matches no configured token. */
    INVALID;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One address: when its last line was logged, failures since then not logged. */
  private static final class Source {
    Instant logged;
    long unlogged;
  }

  private final Clock clock;
  private final Map<Reason, LongAdder> counts = new EnumMap<>(Reason.class);
  private final Map<String, Source> sources = new HashMap<>();

  AuthFailures(Clock clock) {
    this.clock = clock;
    for (Reason r : Reason.values()) {
      counts.put(r, new LongAdder());
    }
  }

  /** Counts a failure, and logs it unless this address had a line within the last minute. */
  void record(Reason reason, InetSocketAddress remote, String request) {
    counts.get(reason).increment();
    String address =
        remote == null || remote.getAddress() == null
            ? "unknown"
            : remote.getAddress().getHostAddress();
    Instant now = clock.instant();
    long unlogged;
    synchronized (sources) {
      Source s = sources.get(address);
      if (s == null) {
        if (sources.size() >= MAX_SOURCES) {
          sources.values().removeIf(x -> x.logged.plus(WINDOW).isBefore(now) && x.unlogged == 0);
        }
        if (sources.size() >= MAX_SOURCES) {
          address = OTHERS;
          s = sources.get(OTHERS);
        }
      }
      if (s != null && s.logged.plus(WINDOW).isAfter(now)) {
        s.unlogged++;
        return;
      }
      if (s == null) {
        s = new Source();
        sources.put(address, s);
      }
      unlogged = s.unlogged;
      s.logged = now;
      s.unlogged = 0;
    }
    LOG.log(
        Level.WARNING,
        "API authentication failed ("
            + reason.label()
            + " token) from "
            + address
            + " on "
            + request
            + (unlogged > 0
                ? "; " + unlogged + " more failures from there since the last line"
                : "")
            + " (at most one line per address per minute; all are counted in"
            + " qga_api_auth_failures_total)");
  }

  long count(Reason reason) {
    return counts.get(reason).sum();
  }

  @Override
  public MetricSnapshots collect() {
    CounterSnapshot.Builder b =
        CounterSnapshot.builder()
            .name("qga_api_auth_failures")
            .help(
                "Requests refused for a missing, malformed or invalid token (API, reload,"
                    + " metrics_auth)");
    for (Reason r : Reason.values()) {
      b.dataPoint(
          CounterDataPointSnapshot.builder()
              .labels(Labels.of("reason", r.label()))
              .value(counts.get(r).sum())
              .build());
    }
    return MetricSnapshots.of(b.build());
  }
}
