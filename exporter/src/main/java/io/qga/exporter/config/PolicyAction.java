package io.qga.exporter.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** {@code policies[].action}: exactly one action with its settings. */
public sealed interface PolicyAction permits PolicyAction.Fstrim, PolicyAction.TimeSync {

  /** Every action name the config accepts. */
  List<String> NAMES = List.of("fstrim", "time_sync");

  /** The config name of the action: {@code fstrim}, {@code time_sync}. */
  String name();

  /** The agent command the action needs ({@code match.require_support} checks it). */
  String command();

  /** {@code fstrim: {minimum: BYTES}}: discard free ranges of at least {@code minimum} bytes. */
  record Fstrim(long minimum) implements PolicyAction {
    @Override
    public String name() {
      return "fstrim";
    }

    @Override
    public String command() {
      return "guest-fstrim";
    }
  }

  /**
   * {@code time_sync: {source: host|rtc, max_step: DURATION}}.
   *
   * @param maxStep a larger correction is still made but flagged in the audit log
   */
  record TimeSync(TimeSource source, Duration maxStep) implements PolicyAction {
    @Override
    public String name() {
      return "time_sync";
    }

    @Override
    public String command() {
      return "guest-set-time";
    }
  }

  /** host: set the guest clock to the host's; rtc: let the guest read its RTC. */
  enum TimeSource {
    HOST,
    RTC;

    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
