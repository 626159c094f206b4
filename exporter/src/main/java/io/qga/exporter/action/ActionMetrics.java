package io.qga.exporter.action;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import io.qga.collectors.LabelValues;
import io.qga.collectors.Limits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The metrics of actions and policies, for the daemon's registry:
 *
 * <ul>
 *   <li>{@code qga_action_runs_total{domain,action,policy,result}}: policy is the policy name or
 *       {@code api}.
 *   <li>{@code qga_action_last_success_timestamp_seconds{domain,action}}: from the persisted state,
 *       so it survives a restart.
 *   <li>{@code qga_fstrim_trimmed_bytes{domain,mountpoint}}: the last fstrim that said how much
 *       (Windows agents do not: no series).
 *   <li>{@code qga_policy_next_run_timestamp_seconds{policy}}: from the policy engine.
 *   <li>{@code qga_audit_write_failures_total}: audit records that could not be written (no {@code
 *       domain} label; an alert on any increase).
 * </ul>
 */
public final class ActionMetrics implements MultiCollector {
  private static final int LABEL = Limits.DEFAULT.maxLabelLength();

  /** Mountpoints kept per domain for the trimmed-bytes gauge (the guest is untrusted). */
  static final int MAX_MOUNTPOINTS = Limits.DEFAULT.maxFilesystems();

  private final ActionState state;
  private final ConcurrentMap<List<String>, AtomicLong> runs = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Map<String, Long>> trimmed = new ConcurrentHashMap<>();
  private volatile Supplier<Map<String, Instant>> nextRuns = Map::of;
  private final LongSupplier auditFailures;
  private volatile Supplier<? extends Collection<List<String>>> expectedRuns = List::of;

  public ActionMetrics(ActionState state) {
    this(state, null);
  }

  /**
   * @param auditFailures appends the audit log could not write, for {@code
   *     qga_audit_write_failures_total}; null: no such series
   */
  public ActionMetrics(ActionState state, LongSupplier auditFailures) {
    this.state = state;
    this.auditFailures = auditFailures;
  }

  /**
   * The run series shown at 0 until they count something: (domain, action, policy, result) keys,
   * from the policy engine (each configured policy on the domains it matches).
   */
  public void expectedRuns(Supplier<? extends Collection<List<String>>> supplier) {
    this.expectedRuns = supplier == null ? List::of : supplier;
  }

  /** Where {@code qga_policy_next_run_timestamp_seconds} comes from: policy name to next run. */
  public void nextRuns(Supplier<Map<String, Instant>> supplier) {
    this.nextRuns = supplier == null ? Map::of : supplier;
  }

  void record(ActionRecord r) {
    runs.computeIfAbsent(
            List.of(r.domain(), r.action(), r.origin().policyLabel(), r.outcome().wire()),
            k -> new AtomicLong())
        .incrementAndGet();
    if (!r.dryRun() && r.details() instanceof Fstrim.Report report) {
      Map<String, Long> byMountpoint = new TreeMap<>();
      for (Fstrim.PathResult p : report.paths()) {
        if (p.trimmed() != null && byMountpoint.size() < MAX_MOUNTPOINTS) {
          byMountpoint.put(p.path(), p.trimmed());
        }
      }
      if (byMountpoint.isEmpty()) {
        trimmed.remove(r.domain());
      } else {
        trimmed.put(r.domain(), Map.copyOf(byMountpoint));
      }
    }
  }

  /** Drops the per-run series of a domain that is gone (the state keeps its history). */
  public void forgetDomain(String domain) {
    runs.keySet().removeIf(k -> k.get(0).equals(domain));
    trimmed.remove(domain);
  }

  private static int compareLabels(List<String> a, List<String> b) {
    for (int i = 0; i < a.size(); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private static String clean(String s) {
    return LabelValues.clean(s, LABEL);
  }

  @Override
  public MetricSnapshots collect() {
    List<io.prometheus.metrics.model.snapshots.MetricSnapshot> out = new ArrayList<>();

    CounterSnapshot.Builder runsB =
        CounterSnapshot.builder()
            .name("qga_action_runs")
            .help("Action runs by domain, action, policy (or api) and result.");
    Map<List<String>, Long> counts = new TreeMap<>(ActionMetrics::compareLabels);
    for (List<String> k : expectedRuns.get()) {
      counts.put(k, 0L);
    }
    runs.forEach((k, v) -> counts.put(k, v.get()));
    for (Map.Entry<List<String>, Long> e : counts.entrySet()) {
      List<String> k = e.getKey();
      runsB.dataPoint(
          CounterSnapshot.CounterDataPointSnapshot.builder()
              .labels(
                  Labels.of(
                      "domain", clean(k.get(0)),
                      "action", k.get(1),
                      "policy", clean(k.get(2)),
                      "result", k.get(3)))
              .value(e.getValue())
              .build());
    }
    out.add(runsB.build());

    GaugeSnapshot.Builder lastB =
        GaugeSnapshot.builder()
            .name("qga_action_last_success_timestamp_seconds")
            .help("When the action last succeeded on the domain (persisted across restarts).")
            .unit(Unit.SECONDS);
    state
        .lastSuccesses()
        .forEach(
            (domain, byAction) ->
                byAction.forEach(
                    (action, at) ->
                        lastB.dataPoint(
                            GaugeSnapshot.GaugeDataPointSnapshot.builder()
                                .labels(Labels.of("domain", clean(domain), "action", action))
                                .value(at.toEpochMilli() / 1000.0)
                                .build())));
    out.add(lastB.build());

    GaugeSnapshot.Builder trimB =
        GaugeSnapshot.builder()
            .name("qga_fstrim_trimmed_bytes")
            .help("Bytes trimmed per mountpoint by the last fstrim of the domain.")
            .unit(Unit.BYTES);
    new TreeMap<>(trimmed)
        .forEach(
            (domain, byMountpoint) ->
                byMountpoint.forEach(
                    (mountpoint, bytes) ->
                        trimB.dataPoint(
                            GaugeSnapshot.GaugeDataPointSnapshot.builder()
                                .labels(
                                    Labels.of(
                                        "domain", clean(domain), "mountpoint", clean(mountpoint)))
                                .value(bytes)
                                .build())));
    out.add(trimB.build());

    GaugeSnapshot.Builder nextB =
        GaugeSnapshot.builder()
            .name("qga_policy_next_run_timestamp_seconds")
            .help("When the policy's schedule fires next (absent without a schedule).")
            .unit(Unit.SECONDS);
    new TreeMap<>(nextRuns.get())
        .forEach(
            (policy, at) -> {
              if (at != null) {
                nextB.dataPoint(
                    GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .labels(Labels.of("policy", clean(policy)))
                        .value(at.toEpochMilli() / 1000.0)
                        .build());
              }
            });
    out.add(nextB.build());

    if (auditFailures != null) {
      out.add(
          CounterSnapshot.builder()
              .name("qga_audit_write_failures")
              .help(
                  "Audit log records that could not be written (full disk, EIO); an action whose"
                      + " start cannot be audited is not run.")
              .dataPoint(
                  CounterSnapshot.CounterDataPointSnapshot.builder()
                      .value(auditFailures.getAsLong())
                      .build())
              .build());
    }
    return new MetricSnapshots(out);
  }
}
