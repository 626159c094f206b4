package io.qga.exporter.policy;

import io.qga.collectors.DomainSamples;
import io.qga.exporter.config.PolicyConditions;
import io.qga.exporter.runtime.DomainHandle;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * What the {@link PolicyEngine} remembers between polls for condition rules: the last clock offset
 * per domain (for "clock jumped") and when a rule on "since last success" alone was last evaluated
 * per domain (so not every poll evaluates it). Used on the engine's thread.
 */
final class PolledFacts {
  private final ConcurrentMap<String, Double> lastOffsets = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Instant> lastIdleEvaluation = new ConcurrentHashMap<>();

  /** The clock offset last polled on the domain, null if none. */
  Double lastOffset(String domain) {
    return lastOffsets.get(domain);
  }

  /** The domain's facts with fresh samples of {@code collector}; remembers a new clock offset. */
  DomainFacts collected(DomainHandle handle, String collector, DomainSamples samples) {
    Double previous = null;
    Double current = null;
    if (collector.equals("time")) {
      current = DomainFacts.timeOffset(samples.record());
      previous =
          current == null
              ? lastOffsets.get(handle.name())
              : lastOffsets.put(handle.name(), current);
    } else {
      previous = lastOffsets.get(handle.name());
    }
    DomainFacts cached = DomainFacts.of(handle, previous);
    return new DomainFacts(
        cached.domain(),
        cached.osId(),
        cached.capabilities(),
        cached.agentUp(),
        cached.frozen(),
        current != null ? current : cached.timeOffsetSeconds(),
        collector.equals("time") ? previous : null,
        collector.equals("filesystem") && samples.record() != null
            ? DomainFacts.usedRatios(samples.record())
            : cached.usedRatios());
  }

  /** Whether fresh samples of {@code collector} can change the rule's conditions. */
  boolean relevant(
      PolicyConditions when, String collector, String domain, Instant now, String policy) {
    if (when.agentConnected().orElse(false)) {
      return false; // evaluated on onAgentUp only
    }
    boolean time = when.timeOffsetAbove().isPresent() || when.clockJumpedAbove().isPresent();
    boolean fs = when.filesystemUsedRatioAbove().isPresent();
    if (time || fs) {
      return (time && collector.equals("time")) || (fs && collector.equals("filesystem"));
    }
    // only since_last_success: any poll will do, but not every one
    String key = policy + "\u0000" + domain;
    Instant last = lastIdleEvaluation.get(key);
    if (last != null && now.isBefore(last.plus(PolicyEngine.IDLE_EVALUATION))) {
      return false;
    }
    lastIdleEvaluation.put(key, now);
    return true;
  }

  /** Our own time sync is not a clock jump: start the comparison afresh. */
  void clockSet(String domain) {
    lastOffsets.remove(domain);
  }

  void forget(String domain) {
    lastOffsets.remove(domain);
    lastIdleEvaluation.keySet().removeIf(k -> k.endsWith("\u0000" + domain));
  }
}
