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

  /**
   * {@code POST .../exec}: {@code path} (a program, found on the guest's PATH unless absolute),
   * {@code arg} and {@code env} lists of strings, {@code input} as base64, {@code timeout} as a
   * duration text or seconds (null: the configured default), {@code capture_output} (default true).
   * Bounds: {@value #MAX_ARGS} arguments and {@value #MAX_ENV} variables, each at most {@value
   * #MAX_ARG} characters and all together {@value #MAX_ARGS_TOTAL}; input at most {@value
   * #MAX_INPUT} bytes (and {@code api.exec.max_file_size}, checked by the handler).
   */
  record Exec(
      String path,
      java.util.List<String> arg,
      java.util.List<String> env,
      byte[] input,
      Duration timeout,
      boolean captureOutput) {
    static final int MAX_PATH = 4096;
    static final int MAX_ARGS = 1024;
    static final int MAX_ENV = 256;
    static final int MAX_ARG = 128 * 1024;
    static final int MAX_ARGS_TOTAL = 1024 * 1024;
    static final int MAX_INPUT = 8 * 1024 * 1024;

    /** The body bound of this endpoint: the largest input as base64, and the rest. */
    static final long MAX_BODY = (MAX_INPUT + 2L) / 3 * 4 + 2L * MAX_ARGS_TOTAL;

    @JsonCreator
    static Exec of(
        @JsonProperty("path") JsonNode path,
        @JsonProperty("arg") JsonNode arg,
        @JsonProperty("env") JsonNode env,
        @JsonProperty("input") JsonNode input,
        @JsonProperty("timeout") JsonNode timeout,
        @JsonProperty("capture_output") JsonNode capture) {
      if (absent(path) || !path.isTextual() || path.asText().isEmpty()) {
        throw ApiException.badField("path", "path must be the program to run, e.g. \"/bin/sh\"");
      }
      String p = path.asText();
      if (p.length() > MAX_PATH || p.indexOf('\0') >= 0) {
        throw ApiException.badField(
            "path", "path must be at most " + MAX_PATH + " characters without NUL");
      }
      java.util.List<String> args = strings("arg", arg, MAX_ARGS, false);
      java.util.List<String> vars = strings("env", env, MAX_ENV, true);
      long total = 0;
      for (String s : args) {
        total += s.length();
      }
      for (String s : vars) {
        total += s.length();
      }
      if (total > MAX_ARGS_TOTAL) {
        throw ApiException.badField(
            "arg", "arg and env together must be at most " + MAX_ARGS_TOTAL + " characters");
      }
      byte[] data = null;
      if (!absent(input)) {
        if (!input.isTextual()) {
          throw ApiException.badField("input", "input must be base64 text");
        }
        try {
          data = java.util.Base64.getDecoder().decode(input.asText());
        } catch (IllegalArgumentException e) {
          throw ApiException.badField("input", "input is not base64: " + e.getMessage());
        }
        if (data.length > MAX_INPUT) {
          throw ApiException.badField(
              "input",
              "input is "
                  + data.length
                  + " bytes, more than "
                  + MAX_INPUT
                  + " (send larger data with PUT .../files)");
        }
      }
      Duration t = null;
      if (!absent(timeout)) {
        try {
          if (timeout.isIntegralNumber() && timeout.canConvertToInt() && timeout.asInt() > 0) {
            t = Duration.ofSeconds(timeout.asInt());
          } else if (timeout.isTextual()) {
            t = Durations.parse(timeout.asText());
          }
        } catch (IllegalArgumentException e) {
          throw ApiException.badField("timeout", "timeout: " + e.getMessage());
        }
        if (t == null || t.isZero() || t.isNegative()) {
          throw ApiException.badField(
              "timeout", "timeout must be a positive duration like \"30s\" or seconds");
        }
      }
      boolean cap = true;
      if (!absent(capture)) {
        if (!capture.isBoolean()) {
          throw ApiException.badField("capture_output", "capture_output must be true or false");
        }
        cap = capture.asBoolean();
      }
      return new Exec(p, args, vars, data, t, cap);
    }

    private static java.util.List<String> strings(
        String field, JsonNode v, int max, boolean assignments) {
      if (absent(v)) {
        return java.util.List.of();
      }
      if (!v.isArray()) {
        throw ApiException.badField(field, field + " must be a list of strings");
      }
      if (v.size() > max) {
        throw ApiException.badField(field, field + " has more than " + max + " entries");
      }
      java.util.List<String> out = new java.util.ArrayList<>();
      for (JsonNode e : v) {
        if (!e.isTextual()) {
          throw ApiException.badField(field, field + " must be a list of strings");
        }
        String s = e.asText();
        if (s.length() > MAX_ARG || s.indexOf('\0') >= 0) {
          throw ApiException.badField(
              field, field + " entries must be at most " + MAX_ARG + " characters without NUL");
        }
        if (assignments && !s.matches("(?s)[A-Za-z_][A-Za-z0-9_]*=.*")) {
          throw ApiException.badField(
              field, "env entries must be NAME=value, not " + Views.cut(s.split("=", 2)[0]));
        }
        out.add(s);
      }
      return out;
    }
  }

  private static boolean absent(JsonNode v) {
    return v == null || v.isNull();
  }
}
