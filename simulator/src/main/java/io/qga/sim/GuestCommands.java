package io.qga.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The command set of the simulated agent: which commands exist in which QEMU version, which are
 * blocked (as qemu-ga {@code -b}), which work while frozen, which arguments each accepts, and the
 * guest-info reply built from all that.
 */
final class GuestCommands {
  // Commands that work while frozen, as qga/main.c's allow-list.
  static final Set<String> FROZEN_ALLOWED =
      Set.of(
          "guest-ping",
          "guest-info",
          "guest-sync",
          "guest-sync-delimited",
          "guest-fsfreeze-status",
          "guest-fsfreeze-thaw");
  // Refused as if started with -b: this guest never runs programs or touches files for the host.
  static final Set<String> BLOCKED =
      Set.of(
          "guest-exec",
          "guest-exec-status",
          "guest-file-open",
          "guest-file-close",
          "guest-file-read",
          "guest-file-write",
          "guest-file-seek",
          "guest-file-flush",
          "guest-set-user-password",
          "guest-set-vcpus",
          "guest-set-memory-blocks",
          "guest-suspend-disk",
          "guest-suspend-ram",
          "guest-suspend-hybrid",
          "guest-ssh-add-authorized-keys",
          "guest-ssh-remove-authorized-keys");
  // What a guest built with execAndFiles() runs (the rest of BLOCKED stays blocked).
  static final Set<String> EXEC_AND_FILES =
      Set.of(
          "guest-exec",
          "guest-exec-status",
          "guest-file-open",
          "guest-file-close",
          "guest-file-read",
          "guest-file-write");
  static final Set<String> NO_SUCCESS_RESPONSE =
      Set.of("guest-shutdown", "guest-suspend-disk", "guest-suspend-ram", "guest-suspend-hybrid");
  static final Set<String> LINUX_ONLY =
      Set.of(
          "guest-get-memory-blocks",
          "guest-set-memory-blocks",
          "guest-get-memory-block-info",
          "guest-get-diskstats",
          "guest-get-cpustats",
          "guest-set-vcpus",
          "guest-get-load");

  /** Handshake commands that even a hostile agent answers normally. */
  static final Set<String> HANDSHAKE =
      Set.of("guest-sync", "guest-sync-delimited", "guest-ping", "guest-info");

  /** Every command of the schema with the QEMU version (major * 100 + minor) it appeared in. */
  static final Map<String, Integer> SINCE = new LinkedHashMap<>();

  /** The arguments each implemented command accepts (others are "unexpected"). */
  static final Map<String, Set<String>> ARGUMENTS =
      Map.ofEntries(
          Map.entry("guest-sync", Set.of("id")),
          Map.entry("guest-sync-delimited", Set.of("id")),
          Map.entry("guest-set-time", Set.of("time")),
          Map.entry("guest-fstrim", Set.of("minimum")),
          Map.entry("guest-fsfreeze-freeze-list", Set.of("mountpoints")),
          Map.entry("guest-shutdown", Set.of("mode")),
          Map.entry("guest-ssh-get-authorized-keys", Set.of("username")),
          Map.entry("guest-exec", Set.of("path", "arg", "env", "input-data", "capture-output")),
          Map.entry("guest-exec-status", Set.of("pid")),
          Map.entry("guest-file-open", Set.of("path", "mode")),
          Map.entry("guest-file-read", Set.of("handle", "count")),
          Map.entry("guest-file-write", Set.of("handle", "buf-b64", "count")),
          Map.entry("guest-file-close", Set.of("handle")));

  static {
    String[][] table = {
      {"guest-sync-delimited", "101"},
      {"guest-sync", "15"},
      {"guest-ping", "15"},
      {"guest-get-time", "105"},
      {"guest-set-time", "105"},
      {"guest-info", "15"},
      {"guest-shutdown", "15"},
      {"guest-file-open", "15"},
      {"guest-file-close", "15"},
      {"guest-file-read", "15"},
      {"guest-file-write", "15"},
      {"guest-file-seek", "15"},
      {"guest-file-flush", "15"},
      {"guest-fsfreeze-status", "15"},
      {"guest-fsfreeze-freeze", "15"},
      {"guest-fsfreeze-freeze-list", "202"},
      {"guest-fsfreeze-thaw", "15"},
      {"guest-fstrim", "102"},
      {"guest-suspend-disk", "101"},
      {"guest-suspend-ram", "101"},
      {"guest-suspend-hybrid", "101"},
      {"guest-network-get-interfaces", "101"},
      {"guest-get-vcpus", "105"},
      {"guest-set-vcpus", "105"},
      {"guest-get-disks", "502"},
      {"guest-get-fsinfo", "202"},
      {"guest-set-user-password", "203"},
      {"guest-get-memory-blocks", "203"},
      {"guest-set-memory-blocks", "203"},
      {"guest-get-memory-block-info", "203"},
      {"guest-exec-status", "205"},
      {"guest-exec", "205"},
      {"guest-get-host-name", "210"},
      {"guest-get-users", "210"},
      {"guest-get-timezone", "210"},
      {"guest-get-osinfo", "210"},
      {"guest-ssh-get-authorized-keys", "502"},
      {"guest-ssh-add-authorized-keys", "502"},
      {"guest-ssh-remove-authorized-keys", "502"},
      {"guest-get-diskstats", "701"},
      {"guest-get-cpustats", "701"},
      {"guest-get-load", "1000"},
    };
    for (String[] row : table) {
      SINCE.put(row[0], Integer.parseInt(row[1]));
    }
  }

  private GuestCommands() {}

  static boolean hasCommand(Flavour flavour, String name) {
    Integer since = SINCE.get(name);
    if (since == null || !flavour.since(since / 100, since % 100)) {
      return false;
    }
    return !(flavour.windows() && LINUX_ONLY.contains(name));
  }

  static AgentError disabled(Flavour flavour, String name, String hint) {
    if (!flavour.since(2, 6)) {
      return AgentError.generic("The command " + name + " has been disabled for this instance");
    }
    return new AgentError(
        "CommandNotFound",
        "Command " + name + " has been disabled" + (hint == null ? "" : ": " + hint));
  }

  /** Blocked on this guest: {@link #BLOCKED}, less exec and files when the guest allows them. */
  static boolean blocked(String name, boolean execAndFiles) {
    return BLOCKED.contains(name) && !(execAndFiles && EXEC_AND_FILES.contains(name));
  }

  static ObjectNode info(Flavour flavour, boolean frozen, boolean execAndFiles) {
    ArrayNode commands = QemuJson.array();
    for (String name : SINCE.keySet()) {
      if (!hasCommand(flavour, name)) {
        continue;
      }
      boolean enabled = !blocked(name, execAndFiles) && (!frozen || FROZEN_ALLOWED.contains(name));
      commands
          .addObject()
          .put("enabled", enabled)
          .put("name", name)
          .put("success-response", !NO_SUCCESS_RESPONSE.contains(name));
    }
    ObjectNode info = QemuJson.object().put("version", flavour.version());
    info.set("supported_commands", commands);
    return info;
  }
}
