package io.qga.collectors;

import io.qga.client.api.Capabilities;
import java.time.Clock;
import java.util.Objects;

/**
 * What a collector may need besides the agent: bounds on what the guest can make us export, the
 * host clock (for the time offset), and the agent's capabilities (may be null when unknown).
 */
public record CollectContext(Limits limits, Clock clock, Capabilities capabilities) {
  public CollectContext {
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(clock, "clock");
  }

  public static CollectContext defaults() {
    return new CollectContext(Limits.DEFAULT, Clock.systemUTC(), null);
  }

  /** True when capabilities are unknown or list the command as enabled. */
  public boolean supports(String command) {
    return capabilities == null || capabilities.supports(command);
  }
}
