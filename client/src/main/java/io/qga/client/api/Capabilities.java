package io.qga.client.api;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one agent offers, from {@code guest-info}: enabled commands, and those that send no reply on
 * success. Immutable; refreshed by {@link GuestAgent} when the agent's version changes.
 */
public record Capabilities(String version, Set<String> enabled, Set<String> known) {
  public Capabilities {
    version = version == null ? "" : version;
    enabled = Set.copyOf(enabled);
    known = Set.copyOf(known);
  }

  public static Capabilities from(GuestInfo info) {
    Set<String> enabled = new TreeSet<>();
    Set<String> known = new TreeSet<>();
    for (GuestInfo.SupportedCommand c : info.supportedCommands()) {
      if (c.name() == null) {
        continue;
      }
      known.add(c.name());
      if (c.enabled()) {
        enabled.add(c.name());
      }
    }
    return new Capabilities(info.version(), enabled, known);
  }

  /** True when the agent lists the command and it is enabled. */
  public boolean supports(String command) {
    return enabled.contains(command);
  }

  /** Every known command with its enabled flag, sorted by name. */
  public Map<String, Boolean> asMap() {
    Map<String, Boolean> m = new TreeMap<>();
    for (String k : known) {
      m.put(k, enabled.contains(k));
    }
    return m;
  }
}
