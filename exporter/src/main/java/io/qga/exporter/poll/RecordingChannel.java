package io.qga.exporter.poll;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qga.client.AgentChannel;
import io.qga.client.AgentCommand;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wraps a domain's one channel and keeps the last successful reply of the read-only commands
 * whose answers the control API and the policy engine serve ({@link #RECORDED}), whoever sent
 * it: the poller, the policy engine or the control API. Replies of actions are not kept (they
 * may be large, e.g. guest-exec-status output, and are not "guest state"), nor those only
 * turned into metrics.
 *
 * <p>The guest's freeze state ({@code guest-fsfreeze-status}) follows every answer that tells
 * it, not only the status poll: a freeze or thaw sent by anyone on this channel, and a command
 * refused with "the agent is in frozen state". Each change is told to the listener (the poller
 * resumes at once on the thaw), so the cached state never lags the exporter's own freeze and
 * thaw by a status poll.
 *
 * <p>A kept reply is held as its JSON text, parsed again when read: a thousand domains' trees
 * cost tens of MiB of heap, their text a fraction of that, and they are read rarely (an API
 * call, a policy match) but replaced on every poll.
 */
final class RecordingChannel implements AgentChannel {
  /**
   * Replies estimated larger than this are not kept (and the older one is dropped): the client
   * accepts replies up to 10 MiB, and a guest must not make every domain hold that as a tree.
   * Real replies are a few KiB (fsinfo of 64 filesystems: ~40 KiB).
   */
  static final long MAX_RECORDED_BYTES = 256 * 1024;

  /** The commands whose last reply is kept. */
  static final Set<String> RECORDED =
      Set.of(
          "guest-info",
          "guest-get-host-name",
          "guest-get-osinfo",
          "guest-get-timezone",
          "guest-network-get-interfaces",
          "guest-get-fsinfo",
          "guest-get-users",
          "guest-fsfreeze-status");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final AgentChannel delegate;
  /** Command name to the reply: its JSON text, or the node itself when a scalar (immutable). */
  private final Map<String, Object> lastReplies = new ConcurrentHashMap<>();

  private static final String STATUS = "guest-fsfreeze-status";
  private final java.util.function.Consumer<Boolean> freezeListener;

  RecordingChannel(AgentChannel delegate) {
    this(delegate, frozen -> {});
  }

  /** {@code freezeListener} is told each change of the freeze state: true frozen, false thawed. */
  RecordingChannel(AgentChannel delegate, java.util.function.Consumer<Boolean> freezeListener) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.freezeListener = Objects.requireNonNull(freezeListener, "freezeListener");
  }

  static boolean isRecorded(String command) {
    return RECORDED.contains(command);
  }

  @Override
  public JsonNode execute(AgentCommand command, Duration deadline) {
    JsonNode reply;
    try {
      reply = delegate.execute(command, deadline);
    } catch (io.qga.client.AgentFrozenException e) {
      freezeSeen(true);
      throw e;
    } catch (io.qga.client.AgentTimeoutException | io.qga.client.AgentConnectionException e) {
      if (isFreeze(command.name())) {
        freezeSeen(true); // the freeze may have happened: fail closed until a status says otherwise
      }
      throw e;
    }
    if (isFreeze(command.name())) {
      freezeSeen(true);
    } else if (command.name().equals("guest-fsfreeze-thaw")) {
      freezeSeen(false);
    } else if (command.name().equals(STATUS) && reply != null && reply.isTextual()) {
      freezeSeen(reply.asText().equals("frozen"));
      return reply;
    }
    // Replies with arguments would mix answers to different questions under one name.
    if (reply != null && command.arguments() == null && isRecorded(command.name())) {
      if (reply.isValueNode()) {
        lastReplies.put(command.name(), reply);
      } else if (withinBudget(reply, MAX_RECORDED_BYTES)) {
        lastReplies.put(command.name(), text(reply));
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

  private static boolean isFreeze(String command) {
    return command.equals("guest-fsfreeze-freeze") || command.equals("guest-fsfreeze-freeze-list");
  }

  /** Records the freeze state as {@code guest-fsfreeze-status} would answer it now. */
  private void freezeSeen(boolean frozen) {
    JsonNode status = com.fasterxml.jackson.databind.node.TextNode.valueOf(frozen ? "frozen" : "thawed");
    Object before = lastReplies.put(STATUS, status);
    boolean was = before instanceof JsonNode node && node.asText().equals("frozen");
    if (was != frozen) {
      freezeListener.accept(frozen);
    }
  }

  private static byte[] text(JsonNode reply) {
    try {
      return JSON.writeValueAsBytes(reply);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a parsed reply back as JSON", e);
    }
  }

  /** The last successful reply of {@code command}, a copy the caller may keep. */
  Optional<JsonNode> lastReply(String command) {
    Object reply = lastReplies.get(command);
    if (reply == null) {
      return Optional.empty();
    }
    if (reply instanceof JsonNode node) {
      return Optional.of(node);
    }
    try {
      return Optional.of(JSON.readTree((byte[]) reply));
    } catch (IOException e) {
      throw new IllegalStateException("cannot parse a kept reply", e);
    }
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
