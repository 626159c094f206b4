package io.qga.exporter.config;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code policies[]}: one rule. It has a schedule, a when, or both.
 *
 * @param name unique, {@code [a-z0-9_-]+}
 * @param schedule as written: Quartz cron, 5-field crontab or a shorthand ({@link Schedule}; valid:
 *     checked at load)
 * @param cooldown the least time between two runs of this rule on one domain
 * @param maxConcurrent set by the rule, else {@link #maxConcurrent(PolicyDefaults)}
 * @param windows when the rule may start a run; empty means any time
 * @param timezone set by the rule, else {@link #zone(PolicyDefaults)}
 * @param jitter a random delay of up to this before a scheduled run
 */
public record Policy(
    String name,
    PolicyMatch match,
    Optional<String> schedule,
    Optional<PolicyConditions> when,
    PolicyAction action,
    Duration cooldown,
    boolean dryRun,
    OptionalInt maxConcurrent,
    List<MaintenanceWindow> windows,
    Optional<ZoneId> timezone,
    Duration jitter) {

  public Policy {
    windows = List.copyOf(windows);
  }

  /** The zone of this rule's schedule and windows. */
  public ZoneId zone(PolicyDefaults defaults) {
    return timezone.orElse(defaults.timezone());
  }

  /** This rule's concurrency limit. */
  public int maxConcurrent(PolicyDefaults defaults) {
    return maxConcurrent.orElse(defaults.maxConcurrent());
  }
}
