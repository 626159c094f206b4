package io.qga.exporter.poll;

import com.fasterxml.jackson.databind.JsonNode;
import io.qga.client.AgentChannel;
import io.qga.client.AgentCommand;
import io.qga.client.AgentConnectionException;
import io.qga.client.AgentFrozenException;
import io.qga.client.AgentTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Wraps a domain's one channel and follows the guest's freeze state through every answer that tells
 * it, whoever asked (the poller, the policy engine, the control API): a freeze or thaw sent on this
 * channel, a command refused with "the agent is in frozen state", and a {@code
 * guest-fsfreeze-status} reply. Each change is told to the listener, so the cached state never lags
 * the exporter's own freeze and thaw by a status poll (a shutdown right after a thaw is not refused
 * as "frozen"), and the poller resumes at once on the thaw.
 */
final class FreezeWatch implements AgentChannel {
  private static final String STATUS = "guest-fsfreeze-status";

  private final AgentChannel delegate;
  private final Consumer<Boolean> listener;

  /** The last state seen: null before any answer told it. */
  private Boolean frozen;

  /** {@code listener} is told each change of the freeze state: true frozen, false thawed. */
  FreezeWatch(AgentChannel delegate, Consumer<Boolean> listener) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  @Override
  public JsonNode execute(AgentCommand command, Duration deadline) {
    JsonNode reply;
    try {
      reply = delegate.execute(command, deadline);
    } catch (AgentFrozenException e) {
      seen(true);
      throw e;
    } catch (AgentTimeoutException | AgentConnectionException e) {
      if (isFreeze(command.name())) {
        seen(true); // the freeze may have happened: fail closed until a status says otherwise
      }
      throw e;
    }
    if (isFreeze(command.name())) {
      seen(true);
    } else if (command.name().equals("guest-fsfreeze-thaw")) {
      seen(false);
    } else if (command.name().equals(STATUS) && reply != null && reply.isTextual()) {
      seen(reply.asText().equals("frozen"));
    }
    return reply;
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public void close() {
    delegate.close();
  }

  private static boolean isFreeze(String command) {
    return command.equals("guest-fsfreeze-freeze") || command.equals("guest-fsfreeze-freeze-list");
  }

  private void seen(boolean now) {
    boolean changed;
    synchronized (this) {
      changed = frozen == null || frozen != now;
      frozen = now;
    }
    if (changed) {
      listener.accept(now);
    }
  }
}
