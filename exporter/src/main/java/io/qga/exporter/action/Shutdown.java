package io.qga.exporter.action;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.api.ShutdownMode;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code guest-shutdown}, as {@code virsh shutdown --mode agent}. The agent sends no reply on
 * success: an error (disabled, frozen, not permitted) arrives at once, so silence for {@code
 * errorWindow} (or the channel closing as the guest goes down) is success.
 */
public record Shutdown(ShutdownMode mode, Duration errorWindow) implements Action {

  public Shutdown {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(errorWindow, "errorWindow");
  }

  @Override
  public String name() {
    return "shutdown";
  }

  @Override
  public String command() {
    return "guest-shutdown";
  }

  @Override
  public ObjectNode arguments() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("mode", mode.wire());
    return o;
  }

  @Override
  public ActionReport run(ActionContext context) {
    context.agent().withTimeout(errorWindow).shutdown(mode);
    return ActionReport.succeeded(new Report(mode));
  }

  /** {@code {"mode": "powerdown"}}. */
  public record Report(ShutdownMode mode) implements ActionDetails {
    @Override
    public ObjectNode toJson() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("mode", mode.wire());
      return o;
    }
  }
}
