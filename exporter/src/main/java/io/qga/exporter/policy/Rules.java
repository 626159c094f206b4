package io.qga.exporter.policy;

import io.qga.exporter.action.Action;
import io.qga.exporter.action.Fstrim;
import io.qga.exporter.action.TimeSync;
import io.qga.exporter.config.Durations;
import io.qga.exporter.config.MaintenanceWindow;
import io.qga.exporter.config.Policy;
import io.qga.exporter.config.PolicyAction;
import io.qga.exporter.config.PolicyConditions;
import io.qga.exporter.config.PolicyDefaults;
import io.qga.exporter.config.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Rule evaluation as pure functions: the same rule, facts, history, time and trigger always give
 * the same {@link Decision}. The engine gathers the inputs; tests call these directly.
 *
 * <p>Order: match (domain globs, OS id, agent support), trigger, agent up, conditions (every set
 * one must hold), timing guards (cooldown, windows; not for a manual run), freeze last (so a frozen
 * domain that would otherwise run is retried once thawed).
 */
public final class Rules {
  private Rules() {}

  /** Evaluates {@code rule} for one domain. */
  public static Decision evaluate(
      Policy rule,
      PolicyDefaults defaults,
      DomainFacts facts,
      History history,
      Instant now,
      Trigger trigger) {
    if (!rule.match().matchesDomain(facts.domain())) {
      return Decision.skip("domain does not match " + rule.match().domains());
    }
    if (!rule.match().matchesOsId(facts.osId())) {
      return Decision.skip(
          "guest OS id "
              + (facts.osId() == null ? "(unknown)" : facts.osId())
              + " is not in "
              + rule.match().osIds());
    }
    String command = rule.action().command();
    if (rule.match().requireSupport()) {
      if (facts.capabilities() == null) {
        return Decision.skip("the agent's commands are not known yet");
      }
      if (!facts.capabilities().supports(command)) {
        return Decision.skip("the agent does not offer " + command);
      }
    }
    Trigger effective = trigger;
    if (trigger == Trigger.PREVIEW) {
      effective = rule.schedule().isPresent() ? Trigger.SCHEDULE : Trigger.COLLECTED;
    }
    switch (effective) {
      case SCHEDULE -> {
        if (rule.schedule().isEmpty()) {
          return Decision.skip("the rule has no schedule");
        }
      }
      case COLLECTED, AGENT_UP -> {
        if (rule.schedule().isPresent()) {
          return Decision.skip("the rule runs on its schedule " + rule.schedule().get());
        }
        if (rule.when().isEmpty()) {
          return Decision.skip("the rule has no conditions");
        }
      }
      case MANUAL, PREVIEW -> {}
    }
    if (!facts.agentUp()) {
      return Decision.skip("the agent is not responding");
    }
    List<String> reasons = new ArrayList<>();
    if (rule.when().isPresent()) {
      String failed = conditions(rule.when().get(), facts, history, now, trigger, reasons);
      if (failed != null) {
        return Decision.skip(failed);
      }
    }
    if (trigger != Trigger.MANUAL) {
      if (history.lastRun() != null && !rule.cooldown().isZero()) {
        Instant until = history.lastRun().plus(rule.cooldown());
        if (now.isBefore(until)) {
          return Decision.skip(
              "cooldown "
                  + Durations.format(rule.cooldown())
                  + " until "
                  + until
                  + " (last run "
                  + history.lastRun()
                  + ")");
        }
      }
      ZoneId zone = rule.zone(defaults);
      Optional<String> closed = outsideWindows(rule.windows(), now.atZone(zone));
      if (closed.isPresent()) {
        return Decision.skip(closed.get());
      }
    }
    if (facts.frozen() && actionFor(rule.action()).blockedByFreeze()) {
      return Decision.frozen();
    }
    if (reasons.isEmpty()) {
      reasons.add(
          switch (trigger) {
            case SCHEDULE -> "schedule " + rule.schedule().orElse("") + " fired";
            case MANUAL -> "run now was requested";
            case PREVIEW ->
                rule.schedule().isPresent()
                    ? "would run when schedule " + rule.schedule().get() + " fires"
                    : "would run";
            default -> "conditions hold";
          });
    }
    return Decision.run(String.join("; ", reasons));
  }

  /** Null when every set condition holds (reasons added), else why not. */
  static String conditions(
      PolicyConditions when,
      DomainFacts facts,
      History history,
      Instant now,
      Trigger trigger,
      List<String> reasons) {
    boolean manual = trigger == Trigger.MANUAL;
    if (when.agentConnected().orElse(false)) {
      if (trigger == Trigger.AGENT_UP) {
        reasons.add("the agent connected");
      } else if (!manual) {
        return "runs when the agent connects after being down";
      }
    }
    if (when.clockJumpedAbove().isPresent() && !manual) {
      Duration limit = when.clockJumpedAbove().get();
      if (facts.timeOffsetSeconds() == null || facts.previousTimeOffsetSeconds() == null) {
        return "clock_jumped_above needs two time polls";
      }
      double jump = Math.abs(facts.timeOffsetSeconds() - facts.previousTimeOffsetSeconds());
      if (jump <= seconds(limit)) {
        return "clock offset changed by "
            + sec(jump)
            + " between polls, not above "
            + Durations.format(limit);
      }
      reasons.add(
          "clock offset changed by "
              + sec(jump)
              + " between polls (above "
              + Durations.format(limit)
              + ")");
    }
    if (when.timeOffsetAbove().isPresent()) {
      Duration limit = when.timeOffsetAbove().get();
      if (facts.timeOffsetSeconds() == null) {
        return "no time offset polled yet";
      }
      double offset = facts.timeOffsetSeconds();
      if (Math.abs(offset) <= seconds(limit)) {
        return "time offset " + sec(offset) + " is not above " + Durations.format(limit);
      }
      reasons.add("time offset " + sec(offset) + " is above " + Durations.format(limit));
    }
    if (when.filesystemUsedRatioAbove().isPresent()) {
      double limit = when.filesystemUsedRatioAbove().getAsDouble();
      List<String> above = new ArrayList<>();
      for (Map.Entry<String, Double> e : facts.usedRatios().entrySet()) {
        if (e.getValue() > limit) {
          above.add(e.getKey() + " " + ratio(e.getValue()));
        }
      }
      if (facts.usedRatios().isEmpty()) {
        return "no filesystem usage polled yet";
      }
      if (above.isEmpty()) {
        return "no filesystem used above " + ratio(limit);
      }
      reasons.add("filesystem used above " + ratio(limit) + ": " + String.join(", ", above));
    }
    if (when.sinceLastSuccessAbove().isPresent()) {
      Duration limit = when.sinceLastSuccessAbove().get();
      if (history.lastSuccess() == null) {
        reasons.add("never succeeded on this domain");
      } else {
        Duration since = Duration.between(history.lastSuccess(), now);
        if (since.compareTo(limit) <= 0) {
          return "last success "
              + history.lastSuccess()
              + " is not more than "
              + Durations.format(limit)
              + " ago";
        }
        reasons.add(
            "last success "
                + history.lastSuccess()
                + " is more than "
                + Durations.format(limit)
                + " ago");
      }
    }
    return null;
  }

  /** Empty when no windows are set or one is open at {@code now}; else why not. */
  static Optional<String> outsideWindows(List<MaintenanceWindow> windows, ZonedDateTime now) {
    if (windows.isEmpty()) {
      return Optional.empty();
    }
    ZonedDateTime next = null;
    for (MaintenanceWindow w : windows) {
      if (w.contains(now)) {
        return Optional.empty();
      }
      ZonedDateTime open = w.nextOpen(now);
      if (next == null || open.isBefore(next)) {
        next = open;
      }
    }
    return Optional.of("outside the maintenance windows " + windows + " (next opens " + next + ")");
  }

  /**
   * The delay of a scheduled run on one domain: a stable spread in {@code [0, jitter)} from the
   * policy and domain names, so runs of a fleet spread evenly and the same domain keeps its slot.
   */
  public static Duration jitterDelay(String policy, String domain, Duration jitter) {
    long millis = jitter == null ? 0 : jitter.toMillis();
    if (millis <= 0) {
      return Duration.ZERO;
    }
    long h = mix(((long) policy.hashCode() << 32) ^ (domain.hashCode() & 0xFFFFFFFFL));
    return Duration.ofMillis(Math.floorMod(h, millis));
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /**
   * The next time a schedule (Quartz, crontab or shorthand: {@link Schedule}) fires after {@code
   * after}, in {@code zone}.
   */
  public static Optional<Instant> nextFire(String cron, ZoneId zone, Instant after) {
    try {
      return Schedule.parse(cron).nextAfter(zone, after);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid schedule: " + e.getMessage(), e);
    }
  }

  /** The executor's action for a rule's configured action. */
  public static Action actionFor(PolicyAction action) {
    if (action instanceof PolicyAction.Fstrim f) {
      return new Fstrim(f.minimum());
    }
    PolicyAction.TimeSync t = (PolicyAction.TimeSync) action;
    return new TimeSync(
        t.source() == PolicyAction.TimeSource.RTC ? TimeSync.Source.RTC : TimeSync.Source.HOST,
        t.maxStep());
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static String sec(double s) {
    return String.format(Locale.ROOT, "%.3f s", s);
  }

  private static String ratio(double r) {
    return String.format(Locale.ROOT, "%.2f", r);
  }
}
