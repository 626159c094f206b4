package io.qga.exporter.discovery;

import java.util.Objects;
import java.util.Optional;

/**
 * One domain found by discovery.
 *
 * @param name the domain name in metrics and the API (static entry, libvirt name, or the text the
 *     glob's first {@code *} matched)
 * @param uuid the libvirt UUID when known
 * @param route where its agent commands go
 * @param source the discovery source that found it, for {@code qga_domain_info{source}}: {@code
 *     static}, {@code glob}, {@code libvirt_run_dir}, {@code libvirt_api}, {@code proxmox} (empty
 *     when not told)
 */
public record DiscoveredDomain(String name, Optional<String> uuid, Route route, String source) {
  public DiscoveredDomain {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(source, "source");
  }

  public DiscoveredDomain(String name, Optional<String> uuid, Route route) {
    this(name, uuid, route, "");
  }

  DiscoveredDomain withSource(String source) {
    return new DiscoveredDomain(name, uuid, route, source);
  }

  DiscoveredDomain withRoute(Route route) {
    return new DiscoveredDomain(name, uuid, route, source);
  }
}
