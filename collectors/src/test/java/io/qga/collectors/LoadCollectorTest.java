package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qga.client.AgentUnsupportedException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadCollectorTest {
  private final LoadCollector collector = new LoadCollector();

  @Test
  void noFlavourBefore10Has() {
    for (String flavour : new String[] {"linux-7.2", "windows", "qemu-2.5"}) {
      FixtureChannel channel = new FixtureChannel(flavour);
      assertThatThrownBy(() -> collector.poll(channel.agent(), CollectContext.defaults()))
          .as(flavour)
          .isInstanceOf(AgentUnsupportedException.class)
          .hasMessageContaining("guest-get-load");
    }
  }

  @Test
  void loadAveragesOf10() {
    FixtureChannel channel =
        new FixtureChannel("linux-7.2")
            .reply(
                "guest-get-load",
                "{\"return\": {\"load1m\": 0.25, \"load5m\": 1.5, \"load15m\": 12.0}}");

    assertThat(Texts.text("load", collector.poll(channel.agent(), CollectContext.defaults())))
        .isEqualTo(
            """
            # HELP qga_guest_load1 The guest's 1-minute load average.
            # TYPE qga_guest_load1 gauge
            qga_guest_load1{domain="vm"} 0.25
            # HELP qga_guest_load15 The guest's 15-minute load average.
            # TYPE qga_guest_load15 gauge
            qga_guest_load15{domain="vm"} 12.0
            # HELP qga_guest_load5 The guest's 5-minute load average.
            # TYPE qga_guest_load5 gauge
            qga_guest_load5{domain="vm"} 1.5
            """);
  }

  @Test
  void negativeAndInfiniteLoadsAreInvalid() {
    FixtureChannel channel =
        new FixtureChannel("linux-7.2")
            .reply(
                "guest-get-load",
                "{\"return\": {\"load1m\": -1, \"load5m\": 1e999, \"load15m\": 2}}");

    DomainSamples samples = collector.poll(channel.agent(), CollectContext.defaults());

    assertThat(samples.samples())
        .extracting(s -> s.family().name())
        .containsExactly("qga_guest_load15");
    assertThat(samples.dropped()).isEqualTo(Map.of(DomainSamples.INVALID_VALUES, 2L));
  }
}
