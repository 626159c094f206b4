package io.qga.exporter.discovery;

import java.util.List;
import java.util.Optional;

/**
 * libvirt's typed calls into a domain's guest agent: none of them makes libvirt mark the domain
 * tainted (a raw {@code virDomainQemuAgentCommand} does: {@code custom-ga-command}). The domain is
 * looked up by UUID when given, else by name. The real one is {@link JnaGuestCalls}.
 */
interface LibvirtGuestCalls {
  /** {@code VIR_DOMAIN_GUEST_INFO_*} bits of {@code virDomainGetGuestInfo}. */
  int INFO_USERS = 1;

  int INFO_OS = 2;
  int INFO_TIMEZONE = 4;
  int INFO_HOSTNAME = 8;
  int INFO_FILESYSTEM = 16;
  int INFO_DISKS = 32;
  int INFO_INTERFACES = 64;

  /** {@code virConnectGetLibVersion}: major * 1,000,000 + minor * 1,000 + release. */
  long libVersion() throws LibvirtFailure;

  /** {@code virDomainGetGuestInfo(types)}. */
  TypedParams guestInfo(String domain, Optional<String> uuid, int types) throws LibvirtFailure;

  /** {@code virDomainInterfaceAddresses(VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT)}. */
  List<Interface> interfaceAddresses(String domain, Optional<String> uuid) throws LibvirtFailure;

  /** {@code virDomainGetGuestVcpus}: {@code vcpus}, {@code online}, {@code offlinable} bitmaps. */
  TypedParams guestVcpus(String domain, Optional<String> uuid) throws LibvirtFailure;

  /** {@code virDomainGetTime}: the guest clock in nanoseconds since the epoch. */
  long getTime(String domain, Optional<String> uuid) throws LibvirtFailure;

  /**
   * {@code virDomainSetTime}: to {@code nanos}, or with {@code VIR_DOMAIN_TIME_SYNC} (the guest
   * reads its RTC) when null.
   */
  void setTime(String domain, Optional<String> uuid, Long nanos) throws LibvirtFailure;

  /** {@code virDomainFSTrim(NULL, minimum)}: every mounted filesystem. */
  void fstrim(String domain, Optional<String> uuid, long minimum) throws LibvirtFailure;

  /** {@code virDomainFSFreeze}: the given mount points, or all when empty; how many froze. */
  int fsfreeze(String domain, Optional<String> uuid, List<String> mountpoints)
      throws LibvirtFailure;

  /** {@code virDomainFSThaw}: how many thawed. */
  int fsthaw(String domain, Optional<String> uuid) throws LibvirtFailure;

  /** {@code virDomainShutdownFlags(VIR_DOMAIN_SHUTDOWN_GUEST_AGENT)}: a powerdown by the agent. */
  void shutdownThroughAgent(String domain, Optional<String> uuid) throws LibvirtFailure;

  /** {@code virDomainReboot(VIR_DOMAIN_REBOOT_GUEST_AGENT)}. */
  void rebootThroughAgent(String domain, Optional<String> uuid) throws LibvirtFailure;

  /**
   * Whether libvirt sees the guest agent's port open ({@code state='connected'} on the {@code
   * org.qemu.guest_agent.0} channel of the live XML): libvirt's own view of the agent, read without
   * asking it anything.
   */
  boolean agentConnected(String domain, Optional<String> uuid) throws LibvirtFailure;

  /** One entry of {@code virDomainInterfaceAddresses}. */
  record Interface(String name, String hwaddr, List<Address> addresses) {
    public Interface {
      addresses = List.copyOf(addresses);
    }
  }

  /** {@code type}: 0 IPv4, 1 IPv6. */
  record Address(int type, String address, int prefix) {}
}
