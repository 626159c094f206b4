package io.qga.exporter.policy;

import io.qga.exporter.action.ActionRecord;
import io.qga.exporter.action.Origin;
import io.qga.exporter.action.Outcome;
import java.time.Instant;

/** Audit records for tests. */
final class AuditLine {
  private AuditLine() {}

  static ActionRecord success(String domain, String action) {
    Instant now = Instant.now();
    return new ActionRecord(
        "t",
        now,
        now,
        domain,
        action,
        null,
        Origin.api("test"),
        false,
        Outcome.SUCCEEDED,
        null,
        null,
        null,
        null);
  }
}
