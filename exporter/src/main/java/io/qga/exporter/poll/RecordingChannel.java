package io.qga.exporter.poll;

import com.fasterxml.jackson.databind.JsonNode;
import io.qga.client.AgentChannel;
import io.qga.client.AgentCommand;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wraps a domain's one channel and keeps the last successful reply of every read-only command
 * (guest-info, guest-get-*, guest-network-get-interfaces, guest-fsfreeze-status), whoever sent
 * it: the poller, the policy engine or the control API. Replies of actions are not kept (they
 * may be large, e.g. guest-exec-status output, and are not "guest state").
 */
final class RecordingChannel implements AgentChannel {
  /**
   * Replies estimated larger than this are not kept (and the older one is dropped): the client
   * accepts replies up to 10 MiB, and a guest must not make every domain hold that as a tree.
   * Real replies are a few KiB (fsinfo of 64 filesystems: ~40 KiB).
   */
  static final long MAX_RECORDED_BYTES = 256 * 1024;

  private final AgentChannel delegate;
  private final Map<String, JsonNode> lastReplies = new ConcurrentHashMap<>();

  RecordingChannel(AgentChannel delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  static boolean isRecorded(String command) {
    return command.startsWith("guest-get-")
        || command.equals("guest-info")
        || command.equals("guest-network-get-interfaces")
        || command.equals("guest-fsfreeze-status");
  }

  @Override
  public JsonNode execute(AgentCommand command, Duration deadline) {
    JsonNode reply = delegate.execute(command, deadline);
    // Replies with arguments would mix answers to different questions under one name.
    if (reply != null && command.arguments() == null && isRecorded(command.name())) {
      if (withinBudget(reply, MAX_RECORDED_BYTES)) {
        lastReplies.put(command.name(), reply.deepCopy());
      } else {
        lastReplies.remove(command.name());
      }
    }
    return reply;
  }

  /**
   * True when the reply's size, estimated as its text plus a few bytes per node, is at most
   * {@code budget}. Stops as soon as the budget is spent, so a huge reply costs O(budget).
   */
  static boolean withinBudget(JsonNode reply, long budget) {
    java.util.ArrayDeque<JsonNode> todo = new java.util.ArrayDeque<>();
    todo.push(reply);
    long cost = 0;
    while (!todo.isEmpty()) {
      JsonNode node = todo.pop();
      cost += 8;
      if (node.isTextual()) {
        cost += node.textValue().length();
      } else if (node.isObject()) {
        var fields = node.fields();
        while (fields.hasNext() && cost <= budget) {
          var field = fields.next();
          cost += field.getKey().length() + 8;
          todo.push(field.getValue());
        }
      } else if (node.isArray()) {
        for (int i = 0; i < node.size() && cost <= budget; i++) {
          todo.push(node.get(i));
          cost += 1;
        }
      }
      if (cost > budget) {
        return false;
      }
    }
    return true;
  }

  /** The last successful reply of {@code command}, a copy the caller may keep. */
  Optional<JsonNode> lastReply(String command) {
    JsonNode reply = lastReplies.get(command);
    return reply == null ? Optional.empty() : Optional.of(reply.deepCopy());
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
