package io.qga.exporter.config;

import io.qga.exporter.runtime.LogFormat;
import io.qga.exporter.runtime.LogLevel;
import java.util.Optional;

/**
 * {@code log}: the daemon's log level and line format. Unset keys leave the logging config's choice
 * (info, plain); {@code --log.level} and {@code --log.format} override both.
 */
public record LogConfig(Optional<LogLevel> level, Optional<LogFormat> format) {
  public static final LogConfig DEFAULT = new LogConfig(Optional.empty(), Optional.empty());
}
