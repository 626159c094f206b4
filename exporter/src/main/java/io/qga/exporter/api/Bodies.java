package io.qga.exporter.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.api.ShutdownMode;
import io.qga.exporter.action.TimeSync;
import io.qga.exporter.config.Durations;
import java.time.Duration;

/**
 * Request bodies, bound by Jackson in {@link Request#body(long, Class)}: a member a record does not
 * name is refused ({@code unknown field}), and each creator checks its values, naming the field
 * that is wrong. The creators take {@link JsonNode}s so that nothing is coerced: {@code "5"} is not
 * the number 5 and {@code 1.5} is not 1.
 */
final class Bodies {
  private Bodies() {}

  /** Endpoints that take no body: {@code {}} or nothing. */
  record None() {}

  /** {@code POST .../fstrim}: {@code minimum} in bytes, or null for the agent's default. */
  record Fstrim(Long minimum) {
    @JsonCreator
    static Fstrim of(@JsonProperty("minimum") JsonNode m) {
      if (absent(m)) {
        return new Fstrim(null);
      }
      if (!m.canConvertToExactIntegral() || !m.canConvertToLong() || m.asLong() < 0) {
        throw ApiException.badField(
            "minimum", "minimum must be an integer >= 0 (bytes), not " + Views.cut(m.toString()));
      }
      return new Fstrim(m.asLong());
    }
  }

  /** {@code POST .../time-sync}: where the time comes from, the host unless given. */
  record TimeSyncBody(TimeSync.Source source) {
    @JsonCreator
    static TimeSyncBody of(@JsonProperty("source") JsonNode v) {
      if (absent(v)) {
        return new TimeSyncBody(TimeSync.Source.HOST);
      }
      if (!v.isTextual() || !(v.asText().equals("host") || v.asText().equals("rtc"))) {
        throw ApiException.badField(
            "source", "source must be \"host\" or \"rtc\", not " + Views.cut(v.toString()));
      }
      return new TimeSyncBody(TimeSync.Source.parse(v.asText()));
    }
  }

  /**
   * {@code POST .../fsfreeze}: {@code deadline} as seconds or a duration text; null when not given
   * (the handler applies {@code api.fsfreeze_default_deadline} and the bounds).
   */
  record Freeze(Duration deadline) {
    @JsonCreator
    static Freeze of(@JsonProperty("deadline") JsonNode v) {
      if (absent(v)) {
        return new Freeze(null);
      }
      Duration deadline;
      try {
        if (v.isIntegralNumber()
            && !(v.canConvertToLong()
                && v.asLong() >= 0
                && v.asLong() <= Durations.MAX.getSeconds())) {
          throw Durations.tooLong(v.asText() + "s"); // negative ones: "at least 1s" in the handler
        }
        deadline =
            v.isIntegralNumber()
                ? Duration.ofSeconds(v.asLong())
                : v.isTextual() ? Durations.parse(v.asText()) : null;
      } catch (IllegalArgumentException e) {
        throw ApiException.badField("deadline", "deadline: " + e.getMessage());
      }
      if (deadline == null) {
        throw ApiException.badField("deadline", "deadline must be a duration like \"60s\"");
      }
      return new Freeze(deadline);
    }
  }

  /** {@code POST .../shutdown}: powerdown unless given. */
  record Shutdown(ShutdownMode mode) {
    @JsonCreator
    static Shutdown of(@JsonProperty("mode") JsonNode v) {
      if (absent(v)) {
        return new Shutdown(ShutdownMode.POWERDOWN);
      }
      return new Shutdown(
          switch (v.isTextual() ? v.asText() : "") {
            case "powerdown" -> ShutdownMode.POWERDOWN;
            case "reboot" -> ShutdownMode.REBOOT;
            case "halt" -> ShutdownMode.HALT;
            default ->
                throw ApiException.badField(
                    "mode",
                    "mode must be \"powerdown\", \"reboot\" or \"halt\", not "
                        + Views.cut(v.toString()));
          });
    }
  }

  /**
   * {@code POST .../command}. Its values are checked by {@link #command()} and {@link #arguments()}
   * after the domain is known, so an unknown domain is a 404 first (as it always was).
   */
  record Command(
      @JsonProperty("execute") JsonNode execute, @JsonProperty("arguments") JsonNode rawArguments) {
    @JsonCreator
    Command {}

    /** The agent command's name. */
    String command() {
      if (execute == null
          || !execute.isTextual()
          || !execute.asText().matches("[a-z][a-z0-9-]{0,63}")) {
        throw ApiException.badField(
            "execute", "execute must be an agent command name like \"guest-get-osinfo\"");
      }
      return execute.asText();
    }

    /** The command's arguments, or null for none. */
    ObjectNode arguments() {
      if (absent(rawArguments)) {
        return null;
      }
      if (!rawArguments.isObject()) {
        throw ApiException.badField("arguments", "arguments must be a JSON object");
      }
      return (ObjectNode) rawArguments;
    }
  }

  private static boolean absent(JsonNode v) {
    return v == null || v.isNull();
  }
}
