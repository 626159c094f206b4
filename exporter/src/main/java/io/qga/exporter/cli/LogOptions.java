package io.qga.exporter.cli;

import io.qga.exporter.config.LogConfig;
import io.qga.exporter.runtime.LogFormat;
import io.qga.exporter.runtime.LogLevel;
import io.qga.exporter.runtime.Logging;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --log.level} and {@code --log.format} of the commands that log ({@code run}, {@code
 * demo}). A flag beats the config's {@code log} section, which beats the logging config. A bad
 * value is a usage error (exit 2) naming the accepted values.
 */
final class LogOptions {
  @Option(
      names = "--log.level",
      paramLabel = "LEVEL",
      converter = LevelConverter.class,
      description = "error, warn, info or debug (default: the config's log.level, else info)")
  LogLevel level;

  @Option(
      names = "--log.format",
      paramLabel = "FORMAT",
      converter = FormatConverter.class,
      description = "plain, logfmt or json (default: the config's log.format, else plain)")
  LogFormat format;

  /** Applies the flags, falling back to {@code config} for what they leave unset. */
  void apply(LogConfig config) {
    Logging.apply(
        level != null ? level : config.level().orElse(null),
        format != null ? format : config.format().orElse(null));
  }

  static final class LevelConverter implements ITypeConverter<LogLevel> {
    @Override
    public LogLevel convert(String value) {
      try {
        return LogLevel.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  static final class FormatConverter implements ITypeConverter<LogFormat> {
    @Override
    public LogFormat convert(String value) {
      try {
        return LogFormat.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
