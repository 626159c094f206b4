package io.qga.exporter.config;

import java.util.ArrayList;
import java.util.List;

/**
 * What is valid but risky in a config: {@code api.command_allow_list} entries that let an admin
 * token change the guest through the passthrough ({@code POST .../command}), and raw agent commands
 * through libvirt, which taint the domains they reach. Printed by {@code check-config} and logged
 * at start; never a reason to refuse the config.
 */
public final class ConfigWarnings {
  /**
   * Agent commands that change the machine or reach into it (qemu-ga 7.2 to 10 and qemu-ga-win),
   * matched against each allow-list glob.
   */
  static final List<String> MACHINE_CHANGING =
      List.of(
          "guest-exec",
          "guest-exec-status",
          "guest-fsfreeze-freeze",
          "guest-fsfreeze-freeze-list",
          "guest-fsfreeze-thaw",
          "guest-shutdown",
          "guest-suspend-disk",
          "guest-suspend-ram",
          "guest-suspend-hybrid",
          "guest-set-time",
          "guest-set-user-password",
          "guest-set-vcpus",
          "guest-set-memory-blocks",
          "guest-file-open",
          "guest-file-read",
          "guest-file-write",
          "guest-file-seek",
          "guest-file-flush",
          "guest-file-close",
          "guest-ssh-get-authorized-keys",
          "guest-ssh-add-authorized-keys",
          "guest-ssh-remove-authorized-keys");

  /** Refused by the passthrough whatever the allow-list says (they have their own endpoints). */
  static final List<String> REFUSED =
      List.of(
          "guest-fsfreeze-freeze",
          "guest-fsfreeze-freeze-list",
          "guest-fsfreeze-thaw",
          "guest-shutdown");

  private ConfigWarnings() {}

  /** The warnings for {@code config}, each with the YAML path of the entry. */
  public static List<ConfigProblem> of(Config config) {
    List<ConfigProblem> out = new ArrayList<>();
    List<String> allow = config.api().commandAllowList();
    for (int i = 0; i < allow.size(); i++) {
      String glob = allow.get(i);
      List<String> runs = new ArrayList<>();
      List<String> refused = new ArrayList<>();
      for (String command : MACHINE_CHANGING) {
        if (Glob.matches(glob, command)) {
          (REFUSED.contains(command) ? refused : runs).add(command);
        }
      }
      if (runs.isEmpty() && refused.isEmpty()) {
        continue;
      }
      StringBuilder m = new StringBuilder("\"" + glob + "\" matches machine-changing commands");
      if (!runs.isEmpty()) {
        m.append(": any admin token can run ")
            .append(String.join(", ", runs))
            .append(" on every guest through POST /api/v1/domains/{domain}/command");
      }
      if (!refused.isEmpty()) {
        m.append(runs.isEmpty() ? ": " : "; ")
            .append(String.join(", ", refused))
            .append(
                " are refused there all the same (use the fsfreeze, fsthaw and shutdown"
                    + " endpoints)");
      }
      m.append("; list only the commands you need");
      out.add(new ConfigProblem(Reader.child("/api/command_allow_list", i), m.toString()));
    }
    LibvirtConfig lv = config.discovery().libvirt();
    if (lv.enabled() && lv.useLibvirtChannel() && lv.allowRawAgentCommands()) {
      out.add(
          new ConfigProblem(
              "/discovery/libvirt/allow_raw_agent_commands",
              "true: every domain reached through libvirt's own channel (.0 only) is sent raw agent"
                  + " commands, and libvirt marks each of them tainted (custom-ga-command in"
                  + " /var/log/libvirt/qemu/NAME.log); false keeps them untainted with libvirt's"
                  + " typed calls, a second channel (.1) gives full data without taint"));
    }
    return out;
  }
}
