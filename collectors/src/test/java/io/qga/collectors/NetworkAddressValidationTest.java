package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** An {@code ip-address} that is not an IP address never becomes a series; it is counted. */
class NetworkAddressValidationTest {
  @Test
  void templatesAndNamesInAddressesAreDroppedAndCounted() {
    FixtureChannel channel =
        new FixtureChannel("linux-7.2")
            .reply(
                "guest-network-get-interfaces",
                """
                {"return": [
                  {"name": "eth0", "hardware-address": "02:00:00:00:00:01", "ip-addresses": [
                    {"ip-address": "{{ lookup('pipe', 'touch /tmp/pwned') }}",
                     "ip-address-type": "ipv4", "prefix": 24},
                    {"ip-address": "attacker.example", "ip-address-type": "ipv4", "prefix": 24},
                    {"ip-address": "192.0.2.7", "ip-address-type": "ipv4", "prefix": 24},
                    {"ip-address": "fd00::7", "ip-address-type": "ipv6", "prefix": 64}]}
                ]}
                """);

    DomainSamples samples =
        new NetworkCollector().poll(channel.agent(), channel.context(Limits.DEFAULT, Texts.CLOCK));

    assertThat(samples.dropped())
        .containsExactlyInAnyOrderEntriesOf(Map.of(NetworkCollector.INVALID_ADDRESSES, 2L));
    assertThat(Texts.text("network", samples))
        .contains(
            """
            qga_collector_dropped_items{collector="network",domain="vm",kind="invalid_addresses"} 2.0
            """)
        .contains(
            """
            qga_network_address_info{address="192.0.2.7",domain="vm",family="ipv4",interface="eth0",mac="02:00:00:00:00:01",prefix="24"} 1.0
            qga_network_address_info{address="fd00::7",domain="vm",family="ipv6",interface="eth0",mac="02:00:00:00:00:01",prefix="64"} 1.0
            """)
        .doesNotContain("lookup")
        .doesNotContain("attacker.example");
  }
}
