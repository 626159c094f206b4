package io.qga.exporter.poll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.AgentChannel;
import io.qga.client.AgentCommand;
import io.qga.client.AgentConnectionException;
import io.qga.client.AgentErrorException;
import io.qga.client.AgentTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory agent for poller tests: answers guest-info with {@code version} and {@code
 * commands}, guest-ping, and every other offered command with {@code {"value": N}}. Its mode
 * decides what happens: HEALTHY answers, HUNG waits out the caller's deadline then times out, DEAD
 * fails to connect at once.
 */
final class FakeChannel implements AgentChannel {
  enum Mode {
    HEALTHY,
    HUNG,
    DEAD
  }

  static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final String name;
  volatile Mode mode = Mode.HEALTHY;
  volatile String version = "7.2.22";
  volatile Set<String> commands;

  /** When set, a command named in it blocks until the latch opens (for coalescing tests). */
  volatile CountDownLatch gate;

  volatile String gatedCommand;
  final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();
  final AtomicInteger closes = new AtomicInteger();

  FakeChannel(String name, Set<String> commands) {
    this.name = name;
    this.commands = Set.copyOf(commands);
  }

  int calls(String command) {
    AtomicInteger n = calls.get(command);
    return n == null ? 0 : n.get();
  }

  @Override
  public JsonNode execute(AgentCommand command, Duration deadline) {
    calls.computeIfAbsent(command.name(), k -> new AtomicInteger()).incrementAndGet();
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    try {
      return answer(command, deadline == null ? Duration.ofSeconds(5) : deadline);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private JsonNode answer(AgentCommand command, Duration deadline) {
    switch (mode) {
      case DEAD -> throw new AgentConnectionException(name + ": connection refused");
      case HUNG -> {
        try {
          Thread.sleep(deadline.toMillis()); // the agent never answers: the deadline passes
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new AgentTimeoutException(name + ": no reply within " + deadline.toMillis() + " ms");
      }
      default -> {}
    }
    String c = command.name();
    CountDownLatch g = gate;
    if (g != null && c.equals(gatedCommand)) {
      try {
        if (!g.await(10, TimeUnit.SECONDS)) {
          throw new AgentTimeoutException(name + ": gate never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (c.equals("guest-info")) {
      ObjectNode info = JSON.objectNode().put("version", version);
      var list = info.putArray("supported_commands");
      for (String s : commands) {
        list.addObject().put("name", s).put("enabled", true).put("success-response", true);
      }
      return info;
    }
    if (c.equals("guest-ping")) {
      return JSON.objectNode();
    }
    if (!commands.contains(c)) {
      throw AgentErrorException.of(
          c, "CommandNotFound", "The command " + c + " has not been found");
    }
    return JSON.objectNode().put("value", calls(c));
  }

  @Override
  public String describe() {
    return "fake:" + name;
  }

  @Override
  public void close() {
    closes.incrementAndGet();
  }
}
