package io.qga.exporter.action;

import java.util.List;
import java.util.Objects;

/**
 * What {@link Action#run} returns: the outcome, its details (may be null), a one-line error for a
 * failure or partial failure (may be null), and warnings an operator must see (e.g. a clock step
 * larger than {@code max_step}).
 */
public record ActionReport(
    Outcome outcome, ActionDetails details, String error, List<String> warnings) {
  public ActionReport {
    Objects.requireNonNull(outcome, "outcome");
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }

  public static ActionReport succeeded(ActionDetails details) {
    return new ActionReport(Outcome.SUCCEEDED, details, null, List.of());
  }
}
