package io.qga.client;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Set;

/**
 * One request: {@code {"execute": name, "arguments": arguments}}. Never carries an {@code id}
 * (agents before QEMU 4.0 reject it).
 *
 * @param name the command, e.g. {@code guest-get-fsinfo}
 * @param arguments the arguments object, or {@code null} for none
 */
public record AgentCommand(String name, ObjectNode arguments) {

  /** Commands that send no reply on success (PROTOCOL.md "Commands without a reply"). */
  public static final Set<String> NO_SUCCESS_REPLY =
      Set.of("guest-shutdown", "guest-suspend-disk", "guest-suspend-ram", "guest-suspend-hybrid");

  public AgentCommand {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("command name must not be blank");
    }
    if (arguments != null) {
      arguments = arguments.deepCopy();
    }
  }

  public static AgentCommand of(String name) {
    return new AgentCommand(name, null);
  }

  public static AgentCommand of(String name, ObjectNode arguments) {
    return new AgentCommand(name, arguments);
  }

  /** A fresh, empty arguments object to fill. */
  public static ObjectNode args() {
    return JsonNodeFactory.instance.objectNode();
  }

  /** True for commands that send no reply on success: silence until the deadline is success. */
  public boolean expectsSuccessReply() {
    return !NO_SUCCESS_REPLY.contains(name);
  }

  @Override
  public ObjectNode arguments() {
    return arguments == null ? null : arguments.deepCopy();
  }
}
