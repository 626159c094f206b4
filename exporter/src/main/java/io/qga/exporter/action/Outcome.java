package io.qga.exporter.action;

import java.util.Locale;

/** How one action run ended, as written in the audit log and the {@code result} label. */
public enum Outcome {
  SUCCEEDED,
  FAILED,
  /** Not run: the domain was frozen, gone, or the exporter stopped before it started. */
  SKIPPED,
  /** Not run on purpose: a dry run, audited with what it would have done. */
  DRY_RUN;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Outcome parse(String text) {
    for (Outcome o : values()) {
      if (o.wire().equals(text)) {
        return o;
      }
    }
    throw new IllegalArgumentException("not an action result: " + text);
  }
}
