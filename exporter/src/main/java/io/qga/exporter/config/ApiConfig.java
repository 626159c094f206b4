package io.qga.exporter.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code api}: the control API. With no token it is off (every /api/ request gets 403).
 *
 * @param commandAllowList globs of commands the {@code command} passthrough may run
 * @param fsfreezeDefaultDeadline thaw deadline of a freeze that names none
 * @param fsfreezeMaxDeadline the longest thaw deadline a request may ask for
 * @param maxBody the largest request body accepted, in bytes
 * @param jobRetention how long a finished job stays readable
 * @param maxWait the longest {@code ?wait=} a request may ask for
 * @param maxLiveCalls API requests that may wait on a guest at once (live pings, passthrough
 *     commands, {@code ?wait=}); more get 429 (a wait gets its 202 at once): the listener's threads
 *     stay free for scrapes whatever the guests do
 * @param listener a listener of the API's own ({@code api.listen}); empty: the API is on {@code
 *     server.listen}
 * @param exec the exec and file endpoints ({@code api.exec}), off by default
 */
public record ApiConfig(
    List<ApiToken> tokens,
    List<String> commandAllowList,
    Duration fsfreezeDefaultDeadline,
    Duration fsfreezeMaxDeadline,
    long maxBody,
    Duration jobRetention,
    Duration maxWait,
    int maxLiveCalls,
    Optional<ApiListener> listener,
    ExecConfig exec) {

  public static final int DEFAULT_MAX_LIVE_CALLS = 4;

  public static final List<String> DEFAULT_COMMAND_ALLOW_LIST =
      List.of("guest-info", "guest-ping", "guest-get-*", "guest-network-get-*");

  public static final ApiConfig DEFAULT =
      new ApiConfig(
          List.of(),
          DEFAULT_COMMAND_ALLOW_LIST,
          Duration.ofSeconds(60),
          Duration.ofMinutes(10),
          64 * 1024,
          Duration.ofHours(1),
          Duration.ofSeconds(60),
          DEFAULT_MAX_LIVE_CALLS,
          Optional.empty(),
          ExecConfig.DEFAULT);

  public ApiConfig {
    tokens = List.copyOf(tokens);
    commandAllowList = List.copyOf(commandAllowList);
    java.util.Objects.requireNonNull(exec, "exec");
    if (maxLiveCalls < 1) {
      throw new IllegalArgumentException("maxLiveCalls must be positive");
    }
  }

  /** This config with other exec settings. */
  public ApiConfig withExec(ExecConfig e) {
    return new ApiConfig(
        tokens,
        commandAllowList,
        fsfreezeDefaultDeadline,
        fsfreezeMaxDeadline,
        maxBody,
        jobRetention,
        maxWait,
        maxLiveCalls,
        listener,
        e);
  }

  /** True when at least one token is configured (else the API is off). */
  public boolean enabled() {
    return !tokens.isEmpty();
  }

  /** True when the passthrough may run this command (matches a glob of the allow-list). */
  public boolean allowsCommand(String command) {
    return commandAllowList.stream().anyMatch(g -> Glob.matches(g, command));
  }
}
