package io.qga.client;

import java.time.Duration;

/**
 * Default deadline per command (PROTOCOL.md "Safety"): ping and info 3 s, reads 5 s, fstrim and
 * shutdown 10 min, freeze up to an hour, thaw 3 min. Callers override per call.
 */
public final class Deadlines {
  public static final Duration PING = Duration.ofSeconds(3);
  public static final Duration READ = Duration.ofSeconds(5);
  public static final Duration LONG_ACTION = Duration.ofMinutes(10);
  public static final Duration FREEZE = Duration.ofHours(1);
  public static final Duration THAW = Duration.ofMinutes(3);

  /** Sync after (re)connecting: same as ping. */
  public static final Duration SYNC = PING;

  private Deadlines() {}

  public static Duration defaultFor(String command) {
    return switch (command) {
      case "guest-ping", "guest-info", "guest-sync", "guest-sync-delimited" -> PING;
      case "guest-fstrim",
          "guest-shutdown",
          "guest-suspend-disk",
          "guest-suspend-ram",
          "guest-suspend-hybrid" ->
          LONG_ACTION;
      case "guest-fsfreeze-freeze", "guest-fsfreeze-freeze-list" -> FREEZE;
      case "guest-fsfreeze-thaw" -> THAW;
      default -> READ;
    };
  }
}
