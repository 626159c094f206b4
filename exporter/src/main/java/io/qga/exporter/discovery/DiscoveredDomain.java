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
 */
public record DiscoveredDomain(String name, Optional<String> uuid, Route route) {
  public DiscoveredDomain {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(route, "route");
  }
}
