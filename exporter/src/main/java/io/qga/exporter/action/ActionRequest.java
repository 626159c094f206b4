package io.qga.exporter.action;

import java.util.Objects;

/**
 * One request to run an action on a domain. Build with {@link #of} and the {@code with*} methods.
 *
 * @param domain the domain name
 * @param action what to do
 * @param origin who asked (policy or API token)
 * @param dryRun audit what would be done, do nothing
 * @param whenBusy what to do when another action holds the domain (see {@link WhenBusy})
 * @param reason why, in words, for the audit log (e.g. the policy's decision); may be null
 * @param limit an extra concurrency limit shared by requests with the same key (a policy's {@code
 *     max_concurrent}); may be null
 */
public record ActionRequest(
    String domain,
    Action action,
    Origin origin,
    boolean dryRun,
    WhenBusy whenBusy,
    String reason,
    Limit limit) {

  /** What {@link ActionExecutor#submit} does when the domain is busy or frozen. */
  public enum WhenBusy {
    /**
     * Throw {@link ActionBusyException} at once while another action is queued or running on the
     * domain, and {@link DomainFrozenException} when the domain is known to be frozen (the API's
     * 409).
     */
    FAIL,
    /**
     * Queue behind the domain's running action (first come, first served). A domain found frozen
     * when the action's turn comes is skipped ({@link Outcome#SKIPPED}).
     */
    WAIT
  }

  /** At most {@code max} running requests carry this {@code key} at any time. */
  public record Limit(String key, int max) {
    public Limit {
      Objects.requireNonNull(key, "key");
      if (max < 1) {
        throw new IllegalArgumentException("max_concurrent must be at least 1, got " + max);
      }
    }
  }

  public ActionRequest {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(whenBusy, "whenBusy");
  }

  /** A real run that waits its turn. */
  public static ActionRequest of(String domain, Action action, Origin origin) {
    return new ActionRequest(domain, action, origin, false, WhenBusy.WAIT, null, null);
  }

  public ActionRequest withDryRun(boolean dryRun) {
    return new ActionRequest(domain, action, origin, dryRun, whenBusy, reason, limit);
  }

  public ActionRequest withWhenBusy(WhenBusy whenBusy) {
    return new ActionRequest(domain, action, origin, dryRun, whenBusy, reason, limit);
  }

  public ActionRequest withReason(String reason) {
    return new ActionRequest(domain, action, origin, dryRun, whenBusy, reason, limit);
  }

  public ActionRequest withLimit(Limit limit) {
    return new ActionRequest(domain, action, origin, dryRun, whenBusy, reason, limit);
  }
}
