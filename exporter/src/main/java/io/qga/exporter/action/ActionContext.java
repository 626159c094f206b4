package io.qga.exporter.action;

import io.qga.client.api.GuestAgent;
import java.time.Clock;
import java.util.Objects;

/**
 * What an action runs with: the domain's agent and the host clock (the time source of a host time
 * sync, and of every timestamp in the audit log).
 */
public record ActionContext(String domain, GuestAgent agent, Clock clock) {
  public ActionContext {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(clock, "clock");
  }

  /** The host clock in nanoseconds since the epoch. */
  long nowNanos() {
    java.time.Instant now = clock.instant();
    return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
  }
}
