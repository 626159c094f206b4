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
      lastReplies.put(command.name(), reply.deepCopy());
    }
    return reply;
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
