package io.qga.exporter.poll;

import io.qga.collectors.Limits;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the poller does, from config: the enabled collectors with their intervals (in order), the
 * deadline of every poll command, the backoff cap for failing agents, the guest limits, and how
 * often guest-info is asked again to notice a changed agent version.
 *
 * @param intervals enabled collector name to its interval
 * @param commandTimeout deadline of each command (agent.command_timeout)
 * @param backoffMax longest wait between probes of a failing agent; also capped at the smallest
 *     interval
 * @param limits per-domain caps passed to the collectors
 * @param infoRefresh how often guest-info is asked again while the agent is up
 */
public record PollSettings(
    Map<String, Duration> intervals,
    Duration commandTimeout,
    Duration backoffMax,
    Limits limits,
    Duration infoRefresh) {

  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMinutes(5);
  public static final Duration DEFAULT_INFO_REFRESH = Duration.ofMinutes(5);

  public PollSettings {
    Objects.requireNonNull(limits, "limits");
    Map<String, Duration> copy = new LinkedHashMap<>();
    intervals.forEach(
        (name, interval) -> {
          if (interval.toMillis() < 1) {
            throw new IllegalArgumentException(
                "interval of collector " + name + " must be positive: " + interval);
          }
          copy.put(name, interval);
        });
    intervals = Collections.unmodifiableMap(copy);
    positive("command timeout", commandTimeout);
    positive("backoff max", backoffMax);
    positive("info refresh", infoRefresh);
  }

  /** Settings with the defaults for everything but the intervals. */
  public static PollSettings of(Map<String, Duration> intervals) {
    return new PollSettings(
        intervals,
        DEFAULT_COMMAND_TIMEOUT,
        DEFAULT_BACKOFF_MAX,
        Limits.DEFAULT,
        DEFAULT_INFO_REFRESH);
  }

  public PollSettings withCommandTimeout(Duration timeout) {
    return new PollSettings(intervals, timeout, backoffMax, limits, infoRefresh);
  }

  public PollSettings withBackoffMax(Duration max) {
    return new PollSettings(intervals, commandTimeout, max, limits, infoRefresh);
  }

  public PollSettings withLimits(Limits newLimits) {
    return new PollSettings(intervals, commandTimeout, backoffMax, newLimits, infoRefresh);
  }

  public PollSettings withInfoRefresh(Duration refresh) {
    return new PollSettings(intervals, commandTimeout, backoffMax, limits, refresh);
  }

  /** The cap of the probe backoff: backoffMax or the smallest interval, whichever is smaller. */
  public Duration backoffCap() {
    Duration cap = backoffMax;
    for (Duration d : intervals.values()) {
      if (d.compareTo(cap) < 0) {
        cap = d;
      }
    }
    return cap;
  }

  private static void positive(String what, Duration d) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive: " + d);
    }
  }
}
