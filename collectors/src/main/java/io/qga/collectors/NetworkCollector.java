package io.qga.collectors;

import io.qga.client.api.GuestAgent;
import io.qga.client.api.NetworkInterface;
import java.util.List;

/**
 * {@code guest-network-get-interfaces}: the guest's interface counters (2.11+; absent on older
 * agents, then only addresses are exported) and one info series per IP address.
 */
final class NetworkCollector implements Collector {
  static final String INTERFACE = "interface";

  /**
   * Drop kind for an {@code ip-address} that is not an IP address: the guest chooses that text, and
   * consumers (Ansible's {@code ansible_host}, scripts) take it for an address.
   */
  static final String INVALID_ADDRESSES = "invalid_addresses";

  static final MetricFamily RECEIVE_BYTES =
      MetricFamily.counter(
          "bytes",
          "qga_network_receive_bytes",
          "Bytes received on the guest's network interface.",
          INTERFACE);
  static final MetricFamily RECEIVE_PACKETS =
      MetricFamily.counter(
          null,
          "qga_network_receive_packets",
          "Packets received on the guest's network interface.",
          INTERFACE);
  static final MetricFamily RECEIVE_ERRORS =
      MetricFamily.counter(
          null,
          "qga_network_receive_errors",
          "Receive errors on the guest's network interface.",
          INTERFACE);
  static final MetricFamily RECEIVE_DROPPED =
      MetricFamily.counter(
          null,
          "qga_network_receive_dropped",
          "Received packets dropped on the guest's network interface.",
          INTERFACE);
  static final MetricFamily TRANSMIT_BYTES =
      MetricFamily.counter(
          "bytes",
          "qga_network_transmit_bytes",
          "Bytes transmitted on the guest's network interface.",
          INTERFACE);
  static final MetricFamily TRANSMIT_PACKETS =
      MetricFamily.counter(
          null,
          "qga_network_transmit_packets",
          "Packets transmitted on the guest's network interface.",
          INTERFACE);
  static final MetricFamily TRANSMIT_ERRORS =
      MetricFamily.counter(
          null,
          "qga_network_transmit_errors",
          "Transmit errors on the guest's network interface.",
          INTERFACE);
  static final MetricFamily TRANSMIT_DROPPED =
      MetricFamily.counter(
          null,
          "qga_network_transmit_dropped",
          "Transmitted packets dropped on the guest's network interface.",
          INTERFACE);
  static final MetricFamily ADDRESS_INFO =
      MetricFamily.gauge(
          "qga_network_address_info",
          "An IP address of the guest's network interface (always 1); family is ipv4 or ipv6,"
              + " prefix the prefix length, mac the interface's hardware address.",
          INTERFACE,
          "address",
          "family",
          "prefix",
          "mac");

  @Override
  public String name() {
    return "network";
  }

  @Override
  public List<String> commands() {
    return List.of("guest-network-get-interfaces");
  }

  @Override
  public void collect(GuestAgent agent, CollectContext context, SampleSink out) {
    List<NetworkInterface> interfaces = agent.networkGetInterfaces();
    Limits limits = out.limits();
    out.keep(GuestRecord.Interfaces.of(interfaces, limits));
    int kept = Math.min(interfaces.size(), limits.maxInterfaces());
    out.dropped("interfaces", interfaces.size() - kept);
    for (NetworkInterface nic : interfaces.subList(0, kept)) {
      if (nic == null) {
        out.dropped(DomainSamples.INVALID_VALUES, 1);
        continue;
      }
      String name = nic.name() == null ? "" : nic.name();
      NetworkInterface.Statistics stats = nic.statistics();
      if (stats != null) {
        counter(out, RECEIVE_BYTES, stats.rxBytes(), name);
        counter(out, RECEIVE_PACKETS, stats.rxPackets(), name);
        counter(out, RECEIVE_ERRORS, stats.rxErrs(), name);
        counter(out, RECEIVE_DROPPED, stats.rxDropped(), name);
        counter(out, TRANSMIT_BYTES, stats.txBytes(), name);
        counter(out, TRANSMIT_PACKETS, stats.txPackets(), name);
        counter(out, TRANSMIT_ERRORS, stats.txErrs(), name);
        counter(out, TRANSMIT_DROPPED, stats.txDropped(), name);
      }
      List<NetworkInterface.IpAddress> addresses = nic.ipAddresses();
      int keptAddresses = Math.min(addresses.size(), limits.maxAddressesPerInterface());
      out.dropped("addresses", addresses.size() - keptAddresses);
      String mac = nic.hardwareAddress() == null ? "" : nic.hardwareAddress();
      for (NetworkInterface.IpAddress address : addresses.subList(0, keptAddresses)) {
        if (address == null || address.address() == null) {
          out.dropped(DomainSamples.INVALID_VALUES, 1);
          continue;
        }
        if (!IpAddressText.isIpAddress(address.address())) {
          out.dropped(INVALID_ADDRESSES, 1);
          continue;
        }
        out.gauge(
            ADDRESS_INFO,
            1,
            name,
            address.address(),
            address.type() == null ? "" : address.type(),
            address.prefix() == null ? "" : Integer.toString(address.prefix()),
            mac);
      }
    }
  }

  private static void counter(SampleSink out, MetricFamily family, Long value, String name) {
    if (value != null) {
      out.counter(family, value, name);
    }
  }
}
