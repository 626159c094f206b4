package io.qga.exporter.policy;

import io.qga.exporter.action.ActionState;
import java.time.Instant;

/**
 * What a rule remembers about one domain (from {@link ActionState}, which survives restarts).
 *
 * @param lastSuccess the last success of the rule's action on the domain (any origin), or null
 * @param lastRun the last run of this rule on the domain, or null
 */
public record History(Instant lastSuccess, Instant lastRun) {
  public static final History NONE = new History(null, null);

  static History of(ActionState state, String policy, String domain, String action) {
    return new History(
        state.lastSuccess(domain, action).orElse(null), state.lastRun(policy, domain).orElse(null));
  }
}
