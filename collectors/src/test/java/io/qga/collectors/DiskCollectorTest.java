package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qga.client.AgentUnsupportedException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DiskCollectorTest {
  private final DiskCollector collector = new DiskCollector();

  @Test
  void linuxSectorsBecomeBytesAndLoopAndZramAreLeftOut() {
    assertThat(Texts.poll(collector, "linux-7.2"))
        .isEqualTo(
            """
            # HELP qga_guest_disk_read_bytes_total Bytes read from the guest's block device.
            # TYPE qga_guest_disk_read_bytes_total counter
            qga_guest_disk_read_bytes_total{device="vda",domain="vm"} 1.53567744E9
            # HELP qga_guest_disk_written_bytes_total Bytes written to the guest's block device.
            # TYPE qga_guest_disk_written_bytes_total counter
            qga_guest_disk_written_bytes_total{device="vda",domain="vm"} 3.004674048E9
            """);
  }

  @Test
  void windowsAndQemu25LackTheCommand() {
    for (String flavour : new String[] {"windows", "qemu-2.5"}) {
      FixtureChannel channel = new FixtureChannel(flavour);
      assertThatThrownBy(() -> collector.poll(channel.agent(), CollectContext.defaults()))
          .as(flavour)
          .isInstanceOf(AgentUnsupportedException.class);
    }
  }

  @Test
  void partitionsExcludedWholeDisksCappedHugeCountsKept() {
    FixtureChannel channel =
        new FixtureChannel("linux-7.2")
            .reply(
                "guest-get-diskstats",
                """
                {"return": [
                  {"name": "vda1", "major": 253, "minor": 1, "stats": {"read-sectors": 1}},
                  {"name": "nvme0n1p2", "major": 259, "minor": 2, "stats": {"read-sectors": 1}},
                  {"name": "nvme0n1", "major": 259, "minor": 0,
                   "stats": {"read-sectors": 9223372036854775807, "write-sectors": -4}},
                  {"name": "dm-0", "major": 254, "minor": 0, "stats": {}},
                  {"name": "sdb", "major": 8, "minor": 16, "stats": {"read-sectors": 3}}
                ]}
                """);
    Limits limits = new Limits(64, 16, 64, 64, 2, 512, 128);

    DomainSamples samples = collector.poll(channel.agent(), channel.context(limits, Texts.CLOCK));

    assertThat(samples.dropped()).isEqualTo(Map.of("disks", 1L, DomainSamples.INVALID_VALUES, 1L));
    assertThat(Texts.text("disk", samples))
        .contains(
            """
            qga_guest_disk_read_bytes_total{device="nvme0n1",domain="vm"} 4.722366482869645E21
            """)
        .doesNotContain("vda1", "nvme0n1p2", "sdb", "written");
  }
}
