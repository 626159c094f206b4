package io.qga.collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qga.client.AgentChannel;
import io.qga.client.AgentCommand;
import io.qga.client.AgentErrorException;
import io.qga.client.api.Capabilities;
import io.qga.client.api.GuestAgent;
import io.qga.client.api.GuestInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory agent answering from the shared fixture files ({@code io/qga/sim/fixtures/
 * FLAVOUR/COMMAND.json} in the simulator module), with per-test overrides. A command without a file
 * or override gets {@code CommandNotFound}, as a real agent would answer.
 */
final class FixtureChannel implements AgentChannel {
  static final ObjectMapper JSON = new ObjectMapper();

  private final String flavour;
  private final Map<String, JsonNode> overrides = new HashMap<>();
  final List<String> calls = new ArrayList<>();

  FixtureChannel(String flavour) {
    this.flavour = flavour;
  }

  /** Answers {@code command} with this whole reply object instead of the fixture. */
  FixtureChannel reply(String command, String replyJson) {
    try {
      overrides.put(command, JSON.readTree(replyJson));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Answers {@code command} with {@code {"return": value}}. */
  FixtureChannel returns(String command, JsonNode value) {
    overrides.put(command, JSON.createObjectNode().set("return", value));
    return this;
  }

  GuestAgent agent() {
    return new GuestAgent(this);
  }

  /** The context a poller would build: capabilities from this flavour's guest-info. */
  CollectContext context(Limits limits, java.time.Clock clock) {
    GuestInfo info = JSON.convertValue(reply("guest-info").get("return"), GuestInfo.class);
    return new CollectContext(limits, clock, Capabilities.from(info));
  }

  JsonNode reply(String command) {
    JsonNode override = overrides.get(command);
    if (override != null) {
      return override;
    }
    String path = "/io/qga/sim/fixtures/" + flavour + "/" + command + ".json";
    try (InputStream in = FixtureChannel.class.getResourceAsStream(path)) {
      if (in == null) {
        return JSON.readTree(
            "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command "
                + command
                + " has not been found\"}}");
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public JsonNode execute(AgentCommand command, Duration deadline) {
    calls.add(command.name());
    JsonNode reply = reply(command.name());
    JsonNode error = reply.get("error");
    if (error != null) {
      throw AgentErrorException.of(
          command.name(), error.path("class").asText(), error.path("desc").asText());
    }
    return reply.get("return");
  }

  @Override
  public String describe() {
    return "fixture:" + flavour;
  }

  @Override
  public void close() {}
}
