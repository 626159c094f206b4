package io.qga.exporter.config;

import java.time.ZoneId;

/**
 * {@code policy_defaults}.
 *
 * @param maxConcurrent how many runs of one rule may be in flight on this host at once when the
 *     rule sets no {@code max_concurrent} of its own
 * @param timezone the zone of schedules and windows of rules that set none
 */
public record PolicyDefaults(int maxConcurrent, ZoneId timezone) {
  public static final PolicyDefaults DEFAULT = new PolicyDefaults(2, ZoneId.of("UTC"));
}
