package io.qga.exporter.policy;

import io.qga.exporter.config.Policy;
import java.time.Instant;

/**
 * A configured policy as the API lists it.
 *
 * @param nextRun when its schedule fires next; null without a schedule
 */
public record PolicyStatus(Policy policy, Instant nextRun) {
  public String name() {
    return policy.name();
  }
}
