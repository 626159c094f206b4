package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.AgentProtocolException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NetworkCollectorTest {
  private final NetworkCollector collector = new NetworkCollector();

  @Test
  void linuxCountersAndAddresses() {
    assertThat(Texts.poll(collector, "linux-7.2"))
        .isEqualTo(
            """
            # HELP qga_network_address_info An IP address of the guest's network interface (always 1); family is ipv4 or ipv6, prefix the prefix length, mac the interface's hardware address.
            # TYPE qga_network_address_info gauge
            qga_network_address_info{address="127.0.0.1",domain="vm",family="ipv4",interface="lo",mac="00:00:00:00:00:00",prefix="8"} 1.0
            qga_network_address_info{address="192.0.2.2",domain="vm",family="ipv4",interface="eth0",mac="02:fc:00:00:00:01",prefix="24"} 1.0
            qga_network_address_info{address="::1",domain="vm",family="ipv6",interface="lo",mac="00:00:00:00:00:00",prefix="128"} 1.0
            qga_network_address_info{address="fd00::2",domain="vm",family="ipv6",interface="eth0",mac="02:fc:00:00:00:01",prefix="64"} 1.0
            qga_network_address_info{address="fe80::fc:ff:fe00:1",domain="vm",family="ipv6",interface="eth0",mac="02:fc:00:00:00:01",prefix="64"} 1.0
            # HELP qga_network_receive_bytes_total Bytes received on the guest's network interface.
            # TYPE qga_network_receive_bytes_total counter
            qga_network_receive_bytes_total{domain="vm",interface="eth0"} 1.8357646E8
            qga_network_receive_bytes_total{domain="vm",interface="lo"} 3193.0
            # HELP qga_network_receive_dropped_total Received packets dropped on the guest's network interface.
            # TYPE qga_network_receive_dropped_total counter
            qga_network_receive_dropped_total{domain="vm",interface="eth0"} 0.0
            qga_network_receive_dropped_total{domain="vm",interface="lo"} 0.0
            # HELP qga_network_receive_errors_total Receive errors on the guest's network interface.
            # TYPE qga_network_receive_errors_total counter
            qga_network_receive_errors_total{domain="vm",interface="eth0"} 0.0
            qga_network_receive_errors_total{domain="vm",interface="lo"} 0.0
            # HELP qga_network_receive_packets_total Packets received on the guest's network interface.
            # TYPE qga_network_receive_packets_total counter
            qga_network_receive_packets_total{domain="vm",interface="eth0"} 5060.0
            qga_network_receive_packets_total{domain="vm",interface="lo"} 29.0
            # HELP qga_network_transmit_bytes_total Bytes transmitted on the guest's network interface.
            # TYPE qga_network_transmit_bytes_total counter
            qga_network_transmit_bytes_total{domain="vm",interface="eth0"} 211661.0
            qga_network_transmit_bytes_total{domain="vm",interface="lo"} 3193.0
            # HELP qga_network_transmit_dropped_total Transmitted packets dropped on the guest's network interface.
            # TYPE qga_network_transmit_dropped_total counter
            qga_network_transmit_dropped_total{domain="vm",interface="eth0"} 0.0
            qga_network_transmit_dropped_total{domain="vm",interface="lo"} 0.0
            # HELP qga_network_transmit_errors_total Transmit errors on the guest's network interface.
            # TYPE qga_network_transmit_errors_total counter
            qga_network_transmit_errors_total{domain="vm",interface="eth0"} 0.0
            qga_network_transmit_errors_total{domain="vm",interface="lo"} 0.0
            # HELP qga_network_transmit_packets_total Packets transmitted on the guest's network interface.
            # TYPE qga_network_transmit_packets_total counter
            qga_network_transmit_packets_total{domain="vm",interface="eth0"} 2300.0
            qga_network_transmit_packets_total{domain="vm",interface="lo"} 29.0
            """);
  }

  @Test
  void windowsFriendlyNamesAndScopedAddress() {
    String text = Texts.poll(collector, "windows");
    assertThat(text)
        .contains(
            """
            qga_network_address_info{address="127.0.0.1",domain="vm",family="ipv4",interface="Loopback Pseudo-Interface 1",mac="",prefix="8"} 1.0
            qga_network_address_info{address="192.168.122.45",domain="vm",family="ipv4",interface="Ethernet",mac="52:54:00:12:34:56",prefix="24"} 1.0
            qga_network_address_info{address="::1",domain="vm",family="ipv6",interface="Loopback Pseudo-Interface 1",mac="",prefix="128"} 1.0
            qga_network_address_info{address="fe80::5cb2:8a1f:2c11:9e4d%6",domain="vm",family="ipv6",interface="Ethernet",mac="52:54:00:12:34:56",prefix="64"} 1.0
            """)
        .contains(
            """
            # TYPE qga_network_receive_bytes_total counter
            qga_network_receive_bytes_total{domain="vm",interface="Ethernet"} 9.8765432E7
            qga_network_receive_bytes_total{domain="vm",interface="Loopback Pseudo-Interface 1"} 0.0
            # HELP qga_network_receive_dropped_total Received packets dropped on the guest's network interface.
            # TYPE qga_network_receive_dropped_total counter
            qga_network_receive_dropped_total{domain="vm",interface="Ethernet"} 12.0
            """);
    assertThat(text.lines().filter(l -> !l.startsWith("#"))).hasSize(4 + 2 * 8);
  }

  @Test
  void qemu25HasNoStatisticsSoOnlyAddresses() {
    assertThat(Texts.poll(collector, "qemu-2.5"))
        .isEqualTo(
            """
            # HELP qga_network_address_info An IP address of the guest's network interface (always 1); family is ipv4 or ipv6, prefix the prefix length, mac the interface's hardware address.
            # TYPE qga_network_address_info gauge
            qga_network_address_info{address="10.0.0.17",domain="vm",family="ipv4",interface="eth0",mac="52:54:00:ab:cd:ef",prefix="16"} 1.0
            qga_network_address_info{address="127.0.0.1",domain="vm",family="ipv4",interface="lo",mac="00:00:00:00:00:00",prefix="8"} 1.0
            qga_network_address_info{address="::1",domain="vm",family="ipv6",interface="lo",mac="00:00:00:00:00:00",prefix="128"} 1.0
            qga_network_address_info{address="fe80::5054:ff:feab:cdef",domain="vm",family="ipv6",interface="eth0",mac="52:54:00:ab:cd:ef",prefix="64"} 1.0
            """);
  }

  @Test
  void hundredThousandInterfacesAreCappedAndCounted() {
    ArrayNode interfaces = FixtureChannel.JSON.createArrayNode();
    for (int i = 0; i < 100_000; i++) {
      ObjectNode nic = interfaces.addObject().put("name", "eth" + i);
      nic.putObject("statistics").put("rx-bytes", i);
      ArrayNode addresses = nic.putArray("ip-addresses");
      for (int a = 0; a < 3 && i < 20; a++) {
        addresses
            .addObject()
            .put("ip-address", "10.0." + a + ".1")
            .put("ip-address-type", "ipv4")
            .put("prefix", 24);
      }
    }
    FixtureChannel channel =
        new FixtureChannel("linux-7.2").returns("guest-network-get-interfaces", interfaces);
    Limits limits = new Limits(10, 2, 64, 64, 64, 512, 128);

    DomainSamples samples = collector.poll(channel.agent(), channel.context(limits, Texts.CLOCK));

    assertThat(samples.samples()).hasSize(10 + 10 * 2);
    assertThat(samples.dropped())
        .containsExactlyInAnyOrderEntriesOf(Map.of("interfaces", 99_990L, "addresses", 10L));
    assertThat(Texts.text("network", samples))
        .contains(
            """
            # TYPE qga_collector_dropped_items gauge
            qga_collector_dropped_items{collector="network",domain="vm",kind="addresses"} 10.0
            qga_collector_dropped_items{collector="network",domain="vm",kind="interfaces"} 99990.0
            """);
  }

  @Test
  void hostileNamesAndValuesNeverBreakTheExposition() {
    String oneMegabyte = "x".repeat(1 << 20);
    FixtureChannel channel =
        new FixtureChannel("linux-7.2")
            .reply(
                "guest-network-get-interfaces",
                """
                {"return": [
                  {"name": "%s", "statistics": {"rx-bytes": 1}},
                  {"name": "a\\nb\\u0000c\\"d\\\\e", "statistics": {"rx-bytes": 2, "tx-bytes": -1}},
                  {"name": "bad\\ud800surrogate", "hardware-address": "\\udfff",
                   "ip-addresses": [{"ip-address": "1.2.3.4", "ip-address-type": "ipv4", "prefix": 8}]},
                  {"name": "eth0", "statistics": {"rx-bytes": 9223372036854775807}},
                  {"name": "eth0", "statistics": {"rx-bytes": 3}},
                  null
                ]}
                """
                    .formatted(oneMegabyte));

    DomainSamples samples =
        collector.poll(channel.agent(), channel.context(Limits.DEFAULT, Texts.CLOCK));

    assertThat(samples.dropped())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(DomainSamples.INVALID_VALUES, 2L, DomainSamples.DUPLICATE_SERIES, 1L));
    assertThat(Texts.text("network", samples))
        .isEqualTo(
            """
            # HELP qga_collector_dropped_items Items the guest reported that the collector's last poll dropped: beyond a limit (kind interfaces, addresses, filesystems, users, disks, cpus), invalid values, or duplicate series.
            # TYPE qga_collector_dropped_items gauge
            qga_collector_dropped_items{collector="network",domain="vm",kind="duplicate_series"} 1.0
            qga_collector_dropped_items{collector="network",domain="vm",kind="invalid_values"} 2.0
            # HELP qga_network_address_info An IP address of the guest's network interface (always 1); family is ipv4 or ipv6, prefix the prefix length, mac the interface's hardware address.
            # TYPE qga_network_address_info gauge
            qga_network_address_info{address="1.2.3.4",domain="vm",family="ipv4",interface="bad\uFFFDsurrogate",mac="\uFFFD",prefix="8"} 1.0
            # HELP qga_network_receive_bytes_total Bytes received on the guest's network interface.
            # TYPE qga_network_receive_bytes_total counter
            qga_network_receive_bytes_total{domain="vm",interface="a\uFFFDb\uFFFDc\\"d\\\\e"} 2.0
            qga_network_receive_bytes_total{domain="vm",interface="eth0"} 9.223372036854776E18
            qga_network_receive_bytes_total{domain="vm",interface="%s\u2026"} 1.0
            """
                .formatted("x".repeat(127)));
  }

  @Test
  void aReplyOfTheWrongShapeFailsThePoll() {
    FixtureChannel channel =
        new FixtureChannel("linux-7.2")
            .reply("guest-network-get-interfaces", "{\"return\": {\"name\": \"eth0\"}}");

    assertThatThrownBy(
            () -> collector.poll(channel.agent(), channel.context(Limits.DEFAULT, Texts.CLOCK)))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("guest-network-get-interfaces");
  }
}
