package io.qga.exporter.policy;

import java.util.Objects;

/**
 * What a rule decided for one domain, and why, in words an operator reads in a dry run or the audit
 * log: {@code "time offset 30.2 s is above 1 s"}, {@code "cooldown until 2024-..."}.
 *
 * @param retryWhenThawed the only obstacle is frozen filesystems: try again later
 */
public record Decision(boolean run, String reason, boolean retryWhenThawed) {
  public Decision {
    Objects.requireNonNull(reason, "reason");
  }

  public static Decision run(String reason) {
    return new Decision(true, reason, false);
  }

  public static Decision skip(String reason) {
    return new Decision(false, reason, false);
  }

  static Decision frozen() {
    return new Decision(false, "filesystems are frozen: waits for a thaw", true);
  }

  @Override
  public String toString() {
    return (run ? "run: " : "skip: ") + reason;
  }
}
