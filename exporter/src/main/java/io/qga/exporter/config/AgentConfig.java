package io.qga.exporter.config;

import java.time.Duration;

/**
 * {@code agent}.
 *
 * @param commandTimeout deadline of one polling command (actions have their own, longer ones)
 * @param connectTimeout deadline to open a channel
 * @param backoffMax the longest wait between attempts on an agent that keeps failing
 */
public record AgentConfig(Duration commandTimeout, Duration connectTimeout, Duration backoffMax) {
  public static final AgentConfig DEFAULT =
      new AgentConfig(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofMinutes(5));
}
