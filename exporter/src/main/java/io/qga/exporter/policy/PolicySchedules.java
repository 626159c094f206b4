package io.qga.exporter.policy;

import io.qga.exporter.config.Policy;
import io.qga.exporter.config.PolicyDefaults;
import io.qga.exporter.config.Schedule;
import io.qga.exporter.runtime.Timers;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The policies' schedules as cron triggers on the daemon's {@link Timers}: one Quartz job per
 * scheduled policy, a cron trigger per Quartz expression of its {@link Schedule} (two for a crontab
 * line that restricts both day fields), in the policy's zone.
 */
final class PolicySchedules {
  private static final Logger LOG = Logger.getLogger(PolicySchedules.class.getName());

  /** A policy's schedule as triggered, to tell on reload whether it changed. */
  private record Scheduled(String schedule, ZoneId zone, Timers.Timer timer) {}

  private final Timers timers;
  private final BiConsumer<String, Instant> onFire;

  /** The trigger of each scheduled policy in force (changed under this). */
  private final ConcurrentMap<String, Scheduled> scheduled = new ConcurrentHashMap<>();

  /** The scheduled time of each policy's last counted fire. */
  private final ConcurrentMap<String, Instant> lastFired = new ConcurrentHashMap<>();

  private boolean closed;

  /**
   * @param onFire gets the policy's name and the scheduled fire time, on a Quartz thread: it must
   *     only hand the work on
   */
  PolicySchedules(Timers timers, BiConsumer<String, Instant> onFire) {
    this.timers = timers;
    this.onFire = onFire;
  }

  /**
   * Makes the triggers match {@code policies}: those of removed policies go, added ones start,
   * those whose schedule or zone changed are replaced; unchanged ones keep their next fire time.
   */
  synchronized void apply(Collection<Policy> policies, PolicyDefaults defaults) {
    if (closed) {
      return;
    }
    Map<String, Scheduled> old = new TreeMap<>(scheduled);
    for (Policy p : policies) {
      if (p.schedule().isEmpty()) {
        continue;
      }
      String name = p.name();
      ZoneId zone = p.zone(defaults);
      Scheduled current = old.remove(name);
      if (current != null
          && current.schedule().equals(p.schedule().get())
          && current.zone().equals(zone)) {
        continue;
      }
      forget(name, current);
      try {
        Timers.Timer timer =
            timers.cron(
                "policy",
                Schedule.parse(p.schedule().get()).quartz(),
                zone,
                firedAt -> onFire.accept(name, firedAt));
        scheduled.put(name, new Scheduled(p.schedule().get(), zone, timer));
      } catch (RuntimeException e) {
        // checked at load; should it still fail, the other policies keep their schedules
        LOG.log(Level.SEVERE, "policy " + name + ": cannot schedule " + p.schedule().get(), e);
      }
    }
    old.forEach(this::forget);
  }

  private void forget(String name, Scheduled s) {
    if (s != null) {
      s.timer().cancel();
    }
    scheduled.remove(name);
    lastFired.remove(name);
  }

  /**
   * Whether a fire of the policy for {@code firedAt} counts. A time the schedule's two expressions
   * share (crontab's "either day field") fires both triggers, and after a stall each misfired
   * trigger fires once "now": only the first of those counts, so the policy fires as the merged
   * schedule says ({@link Schedule#nextAfter}). A time before the last counted one (the host clock
   * went back) counts. Called on one thread (the engine's).
   */
  boolean counts(Policy policy, ZoneId zone, Instant firedAt) {
    Instant last = lastFired.get(policy.name());
    if (last != null && !firedAt.isBefore(last)) {
      Optional<Instant> due = Rules.nextFire(policy.schedule().orElseThrow(), zone, last);
      if (due.isEmpty() || firedAt.isBefore(due.get())) {
        return false;
      }
    }
    lastFired.put(policy.name(), firedAt);
    return true;
  }

  /** The policy's next fire time per its triggers; empty when it has none (not started). */
  Optional<Instant> next(String policy) {
    Scheduled s = scheduled.get(policy);
    return s == null ? Optional.empty() : s.timer().nextFire();
  }

  /** Cancels every trigger; later {@link #apply} calls do nothing. */
  synchronized void close() {
    closed = true;
    scheduled.values().forEach(s -> s.timer().cancel());
    scheduled.clear();
  }
}
