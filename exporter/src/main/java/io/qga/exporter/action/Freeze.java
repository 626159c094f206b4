package io.qga.exporter.action;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.AgentErrorException;
import io.qga.client.Deadlines;
import io.qga.exporter.config.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * {@code guest-fsfreeze-freeze} with a thaw deadline. The promise to thaw is written to {@code
 * state_dir} <em>before</em> the freeze is sent, so a crash at any point leaves a record that makes
 * the next start check the guest and thaw it. When it cannot be written the run fails and sends
 * nothing.
 *
 * @param deadline how long the guest may stay frozen (from the request)
 * @param until when the exporter thaws it at the latest
 * @param token the API token that asked (the deadline thaw is audited under it)
 */
public record Freeze(Duration deadline, Instant until, String token, FreezeGuard guard)
    implements Action {

  public Freeze {
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(until, "until");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(guard, "guard");
  }

  @Override
  public String name() {
    return "fsfreeze";
  }

  @Override
  public String command() {
    return "guest-fsfreeze-freeze";
  }

  @Override
  public ObjectNode arguments() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("deadline", Durations.format(deadline));
    o.put("thaw_at", until.toString());
    return o;
  }

  @Override
  public ActionReport run(ActionContext context) {
    boolean promised;
    try {
      promised = guard.promise(context.domain(), until, token);
    } catch (FreezeGuard.PromiseException e) {
      // no durable promise, no freeze: after a crash nobody would know to thaw the guest
      return new ActionReport(Outcome.FAILED, null, e.getMessage(), List.of());
    }
    Duration left = Duration.between(context.clock().instant(), until);
    if (left.isNegative() || left.isZero()) {
      // queued past its own deadline: freezing now would break the promise at once
      guard.release(context.domain(), until);
      return new ActionReport(
          Outcome.SKIPPED,
          null,
          "the thaw deadline " + until + " passed before the freeze could start",
          List.of());
    }
    // the freeze itself must end before the deadline: a freeze still running then is thawed
    Duration timeout = left.compareTo(Deadlines.FREEZE) < 0 ? left : Deadlines.FREEZE;
    long frozen;
    try {
      frozen = context.agent().withTimeout(timeout).fsfreezeFreeze();
    } catch (AgentErrorException e) {
      // the agent answered with an error: it froze nothing (it thaws what it froze on failure)
      if (promised) {
        guard.release(context.domain(), until);
      }
      throw e;
    }
    // a timeout or broken channel keeps the promise: the guest may be frozen
    return ActionReport.succeeded(new Report(frozen, until));
  }

  /** {@code {"frozen": N, "deadline": T}}. */
  public record Report(long frozen, Instant deadline) implements ActionDetails {
    @Override
    public ObjectNode toJson() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("frozen", frozen);
      o.put("deadline", deadline.toString());
      return o;
    }
  }
}
