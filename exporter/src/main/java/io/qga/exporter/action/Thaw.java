package io.qga.exporter.action;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.AgentUnsupportedException;
import io.qga.client.api.FreezeStatus;
import java.util.Objects;

/**
 * {@code guest-fsfreeze-thaw}. Never blocked by a freeze (it is what ends one). With {@code
 * checkFirst} (the deadline and restart thaws) it asks {@code guest-fsfreeze-status} first and
 * sends nothing more to a guest that is already thawed. A successful thaw ends the exporter's
 * promise to thaw this domain.
 */
public record Thaw(boolean checkFirst, FreezeGuard guard) implements Action {

  public Thaw {
    Objects.requireNonNull(guard, "guard");
  }

  @Override
  public String name() {
    return "fsthaw";
  }

  @Override
  public String command() {
    return "guest-fsfreeze-thaw";
  }

  @Override
  public boolean blockedByFreeze() {
    return false;
  }

  /** A full disk must not keep a guest frozen: the thaw runs, its job says the audit failed. */
  @Override
  public boolean runsWithoutAudit() {
    return true;
  }

  @Override
  public ObjectNode arguments() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    if (checkFirst) {
      o.put("check_status_first", true);
    }
    return o;
  }

  @Override
  public ActionReport run(ActionContext context) {
    if (checkFirst) {
      try {
        if (context.agent().fsfreezeStatus() == FreezeStatus.THAWED) {
          guard.release(context.domain(), null);
          return ActionReport.succeeded(new Report(0, "thawed"));
        }
      } catch (AgentUnsupportedException e) {
        // cannot ask: thaw anyway, a thaw of a thawed guest does nothing
      }
    }
    long thawed = context.agent().fsfreezeThaw();
    guard.release(context.domain(), null);
    return ActionReport.succeeded(new Report(thawed, checkFirst ? "frozen" : null));
  }

  /** {@code {"thawed": N}}, and the status found first when it was asked. */
  public record Report(long thawed, String statusBefore) implements ActionDetails {
    @Override
    public ObjectNode toJson() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("thawed", thawed);
      if (statusBefore != null) {
        o.put("status_before", statusBefore);
      }
      return o;
    }
  }
}
