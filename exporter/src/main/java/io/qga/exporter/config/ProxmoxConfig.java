package io.qga.exporter.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code discovery.proxmox}: the VMs of a Proxmox VE node, from the agent sockets QEMU serves
 * ({@code socket_dir/VMID.qga}) and the VM configs ({@code config_dir/VMID.conf}, for the name and
 * SMBIOS UUID).
 *
 * @param socketDir where Proxmox's QEMU processes serve the agent channel, one {@code VMID.qga}
 *     each (or another directory of {@code VMID.qga} sockets, e.g. second channels)
 * @param configDir the node's VM configs ({@code /etc/pve/qemu-server} is the local node's)
 */
public record ProxmoxConfig(boolean enabled, Path socketDir, Path configDir) {
  public static final ProxmoxConfig DEFAULT =
      new ProxmoxConfig(false, Path.of("/var/run/qemu-server"), Path.of("/etc/pve/qemu-server"));

  static final List<String> KEYS = List.of("enabled", "socket_dir", "config_dir");

  /** Reads {@code discovery.proxmox} at {@code path}; problems go to {@code r}. */
  static ProxmoxConfig read(Reader r, Object node, String path) {
    Map<String, Object> m = r.mapping(node, path, KEYS);
    ProxmoxConfig d = DEFAULT;
    boolean enabled = r.bool(m, path, "enabled", d.enabled());
    Path sockets = r.path(m, path, "socket_dir", d.socketDir());
    Path configs = r.path(m, path, "config_dir", d.configDir());
    // a missing directory is fine at run time (no VM running yet, pve-cluster not up); a file
    // where a directory should be is a typo worth stopping for
    if (sockets != null && Files.exists(sockets) && !Files.isDirectory(sockets)) {
      r.problem(path + "/socket_dir", sockets + " is a file, not a directory of VMID.qga sockets");
    }
    if (configs != null && Files.exists(configs) && !Files.isDirectory(configs)) {
      r.problem(path + "/config_dir", configs + " is a file, not a directory of VMID.conf files");
    }
    return new ProxmoxConfig(
        enabled,
        sockets == null ? d.socketDir() : sockets,
        configs == null ? d.configDir() : configs);
  }
}
