package io.qga.exporter.config;

import java.time.Duration;
import java.util.List;

/** {@code discovery}: where the domains and their agent channels come from. */
public record DiscoveryConfig(
    Duration refreshInterval,
    List<StaticDomain> statics,
    List<GlobPattern> globs,
    LibvirtConfig libvirt,
    ProxmoxConfig proxmox) {

  public static final DiscoveryConfig DEFAULT =
      new DiscoveryConfig(
          Duration.ofSeconds(30),
          List.of(),
          List.of(),
          LibvirtConfig.DEFAULT,
          ProxmoxConfig.DEFAULT);

  /** Without {@code proxmox} (off). */
  public DiscoveryConfig(
      Duration refreshInterval,
      List<StaticDomain> statics,
      List<GlobPattern> globs,
      LibvirtConfig libvirt) {
    this(refreshInterval, statics, globs, libvirt, ProxmoxConfig.DEFAULT);
  }

  public DiscoveryConfig {
    statics = List.copyOf(statics);
    globs = List.copyOf(globs);
  }
}
