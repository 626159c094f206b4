package io.qga.exporter.policy;

import java.util.Locale;

/** Why a rule is being evaluated. */
public enum Trigger {
  /** Its cron schedule fired (after the domain's jitter). */
  SCHEDULE,
  /** A collector just delivered fresh samples of the domain. */
  COLLECTED,
  /** The domain's agent answered after being down or unknown. */
  AGENT_UP,
  /** Someone asked to run the policy now: match and conditions apply, timing guards do not. */
  MANUAL,
  /** A dry run asked for by a user: evaluated as if the rule's own trigger fired now. */
  PREVIEW;

  /** The audit log's {@code trigger}. */
  public String wire() {
    return switch (this) {
      case SCHEDULE -> "schedule";
      case COLLECTED -> "condition";
      case AGENT_UP -> "event";
      case MANUAL -> "manual";
      case PREVIEW -> "preview";
    };
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
