package io.qga.exporter.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.AgentErrorException;
import io.qga.client.AgentException;
import io.qga.client.AgentTimeoutException;
import io.qga.client.AgentUnsupportedException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One allow-listed agent command from the passthrough, for commands that may change the guest (they
 * go through the executor: audited, one action per domain at a time). The audit log gets the
 * command and the names of its arguments, never their values (they may be passwords or keys). Every
 * agent failure is caught and kept in the details, so the API can answer 502, 422 or 503 from the
 * record.
 */
public record Command(String execute, ObjectNode args, Duration timeout) implements Action {

  /**
   * Commands whose semantics the exporter guards, refused by the passthrough even when the
   * allow-list matches them, with the endpoint that runs them guarded: a freeze sent around the
   * deadline and the durable thaw promise would leave a guest frozen with nobody to thaw it (and
   * the exporter saying {@code frozen: false}).
   */
  public static final Map<String, String> GUARDED =
      Map.of(
          "guest-fsfreeze-freeze", "fsfreeze",
          "guest-fsfreeze-freeze-list", "fsfreeze",
          "guest-fsfreeze-thaw", "fsthaw",
          "guest-shutdown", "shutdown");

  public Command {
    Objects.requireNonNull(execute, "execute");
    args = args == null ? null : args.deepCopy();
  }

  @Override
  public String name() {
    return "command";
  }

  @Override
  public String command() {
    return execute;
  }

  /** The agent decides what works while frozen (only ping, info and thaw do). */
  @Override
  public boolean blockedByFreeze() {
    return false;
  }

  @Override
  public ObjectNode arguments() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("execute", execute);
    if (args != null) {
      var names = o.putArray("argument_names");
      args.fieldNames().forEachRemaining(names::add);
    }
    return o;
  }

  @Override
  public ActionReport run(ActionContext context) {
    try {
      JsonNode value = context.agent().withTimeout(timeout).execute(execute, args);
      return ActionReport.succeeded(new Report(value, null, null, null));
    } catch (AgentException e) {
      return failed(e);
    }
  }

  static ActionReport failed(AgentException e) {
    String kind;
    String cls = null;
    String desc = null;
    if (e instanceof AgentUnsupportedException u) {
      kind = "unsupported";
      cls = u.errorClass();
      desc = u.description();
    } else if (e instanceof AgentErrorException a) {
      kind = "error";
      cls = a.errorClass();
      desc = a.description();
    } else if (e instanceof AgentTimeoutException) {
      kind = "not_responding";
    } else if (e instanceof io.qga.client.AgentConnectionException) {
      kind = "not_responding";
    } else {
      kind = "protocol";
    }
    return new ActionReport(
        Outcome.FAILED, new Report(null, kind, cls, desc), e.getMessage(), List.of());
  }

  /**
   * The reply: {@code value} on success, else what went wrong: {@code kind} is {@code unsupported},
   * {@code error} (an agent error reply), {@code not_responding} or {@code protocol}.
   */
  public record Report(JsonNode value, String kind, String errorClass, String description)
      implements ActionDetails {
    @Override
    public ObjectNode toJson() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      if (kind == null) {
        // the audit log keeps that it worked, not what the guest returned
        o.put("returned", value == null ? "null" : value.getNodeType().name().toLowerCase());
        return o;
      }
      o.put("kind", kind);
      if (errorClass != null) {
        o.put("class", errorClass);
      }
      if (description != null) {
        o.put("desc", description);
      }
      return o;
    }
  }
}
