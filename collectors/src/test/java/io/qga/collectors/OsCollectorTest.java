package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OsCollectorTest {
  private final OsCollector collector = new OsCollector();

  @Test
  void linux() {
    assertThat(Texts.poll(collector, "linux-7.2"))
        .isEqualTo(
            """
            # HELP qga_guest_os_info The guest's operating system and host name (always 1).
            # TYPE qga_guest_os_info gauge
            qga_guest_os_info{domain="vm",hostname="vm",id="debian",kernel_release="6.18.44-fc-v782",machine="x86_64",name="Debian GNU/Linux",pretty_name="Debian GNU/Linux 12 (bookworm)",version_id="12"} 1.0
            # HELP qga_guest_timezone_offset_seconds The guest's time zone offset east of UTC, in seconds.
            # TYPE qga_guest_timezone_offset_seconds gauge
            qga_guest_timezone_offset_seconds{domain="vm",zone="UTC"} 0.0
            """);
  }

  @Test
  void windows() {
    assertThat(Texts.poll(collector, "windows"))
        .isEqualTo(
            """
            # HELP qga_guest_os_info The guest's operating system and host name (always 1).
            # TYPE qga_guest_os_info gauge
            qga_guest_os_info{domain="vm",hostname="WIN-9J2K4LM",id="mswindows",kernel_release="20348",machine="x86_64",name="Microsoft Windows",pretty_name="Windows Server 2022 Standard",version_id="2022"} 1.0
            # HELP qga_guest_timezone_offset_seconds The guest's time zone offset east of UTC, in seconds.
            # TYPE qga_guest_timezone_offset_seconds gauge
            qga_guest_timezone_offset_seconds{domain="vm",zone="Pacific Standard Time"} -28800.0
            """);
  }

  @Test
  void qemu25NothingAndNoCallsToWhatItLacks() {
    FixtureChannel channel = new FixtureChannel("qemu-2.5");

    String text =
        Texts.text(
            "os", collector.poll(channel.agent(), channel.context(Limits.DEFAULT, Texts.CLOCK)));

    assertThat(text).isEmpty();
    assertThat(channel.calls).isEmpty();
  }

  @Test
  void withoutKnownCapabilitiesAsksGuestInfoAndTriesEachCommand() {
    FixtureChannel channel =
        new FixtureChannel("linux-7.2")
            .reply(
                "guest-get-osinfo",
                "{\"error\": {\"class\": \"GenericError\", \"desc\": \"this feature or command is"
                    + " not currently supported\"}}")
            .reply("guest-get-timezone", "{\"return\": {\"offset\": 999999999}}");

    DomainSamples samples = collector.poll(channel.agent(), CollectContext.defaults());

    assertThat(channel.calls)
        .containsExactly(
            "guest-info", "guest-get-osinfo", "guest-get-host-name", "guest-get-timezone");
    assertThat(Texts.text("os", samples))
        .contains(
            """
            qga_guest_os_info{domain="vm",hostname="vm",id="",kernel_release="",machine="",name="",pretty_name="",version_id=""} 1.0
            """)
        .contains("kind=\"invalid_values\"} 1.0")
        .doesNotContain("qga_guest_timezone_offset_seconds{");
  }
}
