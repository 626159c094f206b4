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

  /** A unix socket or vsock address this exporter connects to itself. */
  record Direct(AgentAddress address) implements Route {
    public Direct {
      Objects.requireNonNull(address, "address");
    }

    @Override
    public String describe() {
      return address instanceof AgentAddress.Unix u ? u.path().toString() : address.toString();
    }
  }

  /**
   * Through libvirt's {@code virDomainQemuAgentCommand} on the channel libvirt holds ({@code
   * org.qemu.guest_agent.0}); the domain is looked up by UUID when known, else by name.
   */
  record Libvirt(String domainName, Optional<String> uuid) implements Route {
    public Libvirt {
      Objects.requireNonNull(domainName, "domainName");
      Objects.requireNonNull(uuid, "uuid");
    }

    @Override
    public String describe() {
      return "libvirt:" + domainName;
    }
  }
}
