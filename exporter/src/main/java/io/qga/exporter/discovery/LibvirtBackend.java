package io.qga.exporter.discovery;

import java.util.Optional;

/** The libvirt calls the agent channel needs; the real one is {@link JnaLibvirt}. */
interface LibvirtBackend extends AutoCloseable {

  /**
   * {@code virDomainQemuAgentCommand(domain, json, timeoutSeconds, 0)}: the agent's whole reply
   * object as JSON text.
   */
  String qemuAgentCommand(String domain, Optional<String> uuid, String json, int timeoutSeconds)
      throws LibvirtFailure;

  /**
   * {@code virDomainReboot(domain, VIR_DOMAIN_REBOOT_GUEST_AGENT)}, as {@code virsh reboot --mode
   * agent}.
   */
  void rebootThroughAgent(String domain, Optional<String> uuid) throws LibvirtFailure;

  /** libvirt's typed guest agent calls on this connection (they do not taint the domain). */
  default LibvirtGuestCalls guest() {
    throw new UnsupportedOperationException("this libvirt backend has no typed guest calls");
  }

  @Override
  void close();
}
