package io.qga.exporter.config;

import java.nio.file.Path;

/**
 * {@code discovery.libvirt}.
 *
 * @param runDir where libvirt keeps the live XML of running domains
 * @param uri the libvirt connection for {@code virDomainQemuAgentCommand}, and (read-only) for
 *     listing domains when {@code source} asks for the API
 * @param useLibvirtChannel route a domain whose only agent channel is libvirt's own {@code .0}
 *     through libvirt; when false such a domain is skipped
 * @param source where the domains' XML comes from
 * @param allowRawAgentCommands let such a domain be polled and driven with raw agent commands
 *     ({@code virDomainQemuAgentCommand}), which make libvirt mark it tainted ({@code
 *     custom-ga-command}); when false (the default) only libvirt's typed calls are used and what
 *     has none is not polled
 */
public record LibvirtConfig(
    boolean enabled,
    Path runDir,
    String uri,
    boolean useLibvirtChannel,
    Source source,
    boolean allowRawAgentCommands) {
  public static final LibvirtConfig DEFAULT =
      new LibvirtConfig(
          false, Path.of("/run/libvirt/qemu"), "qemu:///system", true, Source.AUTO, false);

  /** {@code discovery.libvirt.source}. */
  public enum Source {
    /**
     * The run dir while this user can read every file in it (root); else, e.g. as the non-root
     * service user, libvirt's API over a read-only connection to {@code uri}.
     */
    AUTO,
    /** Only the run dir: no libvirt connection for discovery. */
    RUN_DIR,
    /** Only the API ({@code virConnectListDomains} + {@code virDomainGetXMLDesc}, read-only). */
    API;

    /** The config spelling: auto, run_dir, api. */
    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public LibvirtConfig(boolean enabled, Path runDir, String uri, boolean useLibvirtChannel) {
    this(enabled, runDir, uri, useLibvirtChannel, Source.AUTO);
  }

  public LibvirtConfig(
      boolean enabled, Path runDir, String uri, boolean useLibvirtChannel, Source source) {
    this(enabled, runDir, uri, useLibvirtChannel, source, false);
  }
}
