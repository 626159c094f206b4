package io.qga.exporter.config;

import java.time.Duration;

/** {@code collectors.NAME}: whether the collector runs, and how often per domain. */
public record CollectorConfig(boolean enabled, Duration interval) {}
