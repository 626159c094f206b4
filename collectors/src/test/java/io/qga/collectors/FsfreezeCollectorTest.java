package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FsfreezeCollectorTest {
  private final FsfreezeCollector collector = new FsfreezeCollector();

  @Test
  void thawedOnEveryFlavour() {
    for (String flavour : new String[] {"linux-7.2", "windows", "qemu-2.5"}) {
      assertThat(Texts.poll(collector, flavour))
          .as(flavour)
          .isEqualTo(
              """
              # HELP qga_filesystem_frozen 1 when the guest's filesystems are frozen, else 0.
              # TYPE qga_filesystem_frozen gauge
              qga_filesystem_frozen{domain="vm"} 0.0
              """);
    }
  }

  @Test
  void frozen() {
    FixtureChannel channel =
        new FixtureChannel("linux-7.2").reply("guest-fsfreeze-status", "{\"return\": \"frozen\"}");
    assertThat(
            Texts.text(
                "fsfreeze",
                collector.poll(channel.agent(), channel.context(Limits.DEFAULT, Texts.CLOCK))))
        .endsWith("qga_filesystem_frozen{domain=\"vm\"} 1.0\n");
  }
}
