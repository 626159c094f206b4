package io.qga.exporter.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qga.client.AgentChannel;
import io.qga.client.AgentCommand;
import io.qga.client.AgentErrorException;
import io.qga.client.AgentTimeoutException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory agent for executor tests that need many domains or to hold an action open: scripted
 * replies per command, an optional gate that holds {@code guest-fstrim} until opened, and a shared
 * counter of fstrims in progress (to check concurrency limits).
 */
public final class FakeChannel implements AgentChannel {
  static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final Map<String, String> replies = new ConcurrentHashMap<>();
  private final List<String> commands = new CopyOnWriteArrayList<>();
  private volatile CountDownLatch gate;
  private final AtomicInteger inProgress;
  private final AtomicInteger maxInProgress;

  public FakeChannel(String name, AtomicInteger inProgress, AtomicInteger maxInProgress) {
    this.name = name;
    this.inProgress = inProgress;
    this.maxInProgress = maxInProgress;
    replies.put("guest-fsfreeze-status", "\"thawed\"");
    replies.put(
        "guest-info",
        "{\"version\": \"7.2.22\", \"supported_commands\": ["
            + "{\"name\": \"guest-fstrim\", \"enabled\": true, \"success-response\": true},"
            + "{\"name\": \"guest-set-time\", \"enabled\": true, \"success-response\": true}]}");
    replies.put(
        "guest-fstrim", "{\"paths\": [{\"path\": \"/\", \"trimmed\": 1000, \"minimum\": 0}]}");
  }

  public FakeChannel(String name) {
    this(name, new AtomicInteger(), new AtomicInteger());
  }

  /** {@code json} null: the command is unknown to this agent. */
  public FakeChannel reply(String command, String json) {
    if (json == null) {
      replies.remove(command);
    } else {
      replies.put(command, json);
    }
    return this;
  }

  /** fstrim blocks until {@code gate} opens. */
  public FakeChannel gate(CountDownLatch gate) {
    this.gate = gate;
    return this;
  }

  public List<String> commands() {
    return List.copyOf(commands);
  }

  public long count(String command) {
    return commands.stream().filter(command::equals).count();
  }

  @Override
  public JsonNode execute(AgentCommand command, Duration deadline) {
    commands.add(command.name());
    if (command.name().equals("guest-fstrim")) {
      int now = inProgress.incrementAndGet();
      maxInProgress.accumulateAndGet(now, Math::max);
      try {
        CountDownLatch g = gate;
        if (g != null && !g.await(20, TimeUnit.SECONDS)) {
          throw new AgentTimeoutException("gate never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AgentTimeoutException("interrupted");
      } finally {
        inProgress.decrementAndGet();
      }
    }
    String reply = replies.get(command.name());
    if (reply == null) {
      throw AgentErrorException.of(
          command.name(),
          "CommandNotFound",
          "The command " + command.name() + " has not been found");
    }
    try {
      return JSON.readTree(reply);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String describe() {
    return "fake:" + name;
  }

  @Override
  public void close() {}
}
