package io.qga.exporter.discovery;

import io.qga.client.AgentAddress;
import java.util.Objects;
import java.util.Optional;

/** How a domain's agent commands travel: straight to a socket, or through libvirt. */
public sealed interface Route permits Route.Direct, Route.Libvirt {

  /**
   * For logs, the landing page and {@code DomainHandle.channel()}: a path, vsock:C:P, libvirt:NAME.
   */
  String describe();

  /**
   * For {@code qga_domain_info{route}}, the landing page and the API: {@code direct} (a socket the
   * exporter connects to itself), {@code libvirt_typed} (libvirt's typed calls only) or {@code
   * libvirt_raw} (raw agent commands through libvirt, which taint the domain).
   */
  String kind();

  /** A unix socket or vsock address this exporter connects to itself. */
  record Direct(AgentAddress address) implements Route {
    public Direct {
      Objects.requireNonNull(address, "address");
    }

    @Override
    public String describe() {
      return address instanceof AgentAddress.Unix u ? u.path().toString() : address.toString();
    }

    @Override
    public String kind() {
      return "direct";
    }
  }

  /**
   * Through libvirt, to the channel libvirt holds ({@code org.qemu.guest_agent.0}); the domain is
   * looked up by UUID when known, else by name. With {@code raw} (the operator's {@code
   * discovery.libvirt.allow_raw_agent_commands}) every command is sent as is through {@code
   * virDomainQemuAgentCommand}, which makes libvirt mark the domain tainted; without, only
   * libvirt's typed calls are used.
   */
  record Libvirt(String domainName, Optional<String> uuid, boolean raw) implements Route {
    public Libvirt {
      Objects.requireNonNull(domainName, "domainName");
      Objects.requireNonNull(uuid, "uuid");
    }

    /** The typed route. */
    public Libvirt(String domainName, Optional<String> uuid) {
      this(domainName, uuid, false);
    }

    @Override
    public String kind() {
      return raw ? "libvirt_raw" : "libvirt_typed";
    }

    @Override
    public String describe() {
      return "libvirt:" + domainName;
    }
  }
}
