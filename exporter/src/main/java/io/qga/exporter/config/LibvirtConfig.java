package io.qga.exporter.config;

import java.nio.file.Path;

/**
 * {@code discovery.libvirt}.
 *
 * @param runDir where libvirt keeps the live XML of running domains
 * @param uri the libvirt connection for {@code virDomainQemuAgentCommand}
 * @param useLibvirtChannel route a domain whose only agent channel is libvirt's own {@code .0}
 *     through libvirt; when false such a domain is skipped
 */
public record LibvirtConfig(boolean enabled, Path runDir, String uri, boolean useLibvirtChannel) {
  public static final LibvirtConfig DEFAULT =
      new LibvirtConfig(false, Path.of("/run/libvirt/qemu"), "qemu:///system", true);
}
