package io.qga.exporter.config;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * {@code policies[].when}: conditions on freshly collected data; every condition that is set must
 * hold. At least one is set.
 *
 * @param timeOffsetAbove the guest clock is off the host's by more than this (either sign)
 * @param filesystemUsedRatioAbove some mountpoint's used/size is above this ratio (0..1)
 * @param sinceLastSuccessAbove the action last succeeded on the domain longer ago than this (or
 *     never)
 * @param agentConnected true: the agent just answered after being down or unknown
 * @param clockJumpedAbove the guest clock offset changed by more than this between two polls
 *     (resume, migration, host clock step)
 */
public record PolicyConditions(
    Optional<Duration> timeOffsetAbove,
    OptionalDouble filesystemUsedRatioAbove,
    Optional<Duration> sinceLastSuccessAbove,
    Optional<Boolean> agentConnected,
    Optional<Duration> clockJumpedAbove) {}
