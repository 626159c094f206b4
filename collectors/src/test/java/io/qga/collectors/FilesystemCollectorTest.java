package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FilesystemCollectorTest {
  private final FilesystemCollector collector = new FilesystemCollector();

  @Test
  void linuxRootFilesystem() {
    assertThat(Texts.poll(collector, "linux-7.2"))
        .isEqualTo(
            """
            # HELP qga_filesystem_avail_bytes Filesystem space available to unprivileged users, in bytes (size minus used).
            # TYPE qga_filesystem_avail_bytes gauge
            qga_filesystem_avail_bytes{device="/dev/vda",domain="vm",fstype="ext4",mountpoint="/"} 8.3516588032E10
            # HELP qga_filesystem_size_bytes Filesystem size in bytes as the guest reports it (total-bytes: used plus available to unprivileged users).
            # TYPE qga_filesystem_size_bytes gauge
            qga_filesystem_size_bytes{device="/dev/vda",domain="vm",fstype="ext4",mountpoint="/"} 1.08944293888E11
            # HELP qga_filesystem_used_bytes Filesystem space used, in bytes.
            # TYPE qga_filesystem_used_bytes gauge
            qga_filesystem_used_bytes{device="/dev/vda",domain="vm",fstype="ext4",mountpoint="/"} 2.5427705856E10
            """);
  }

  @Test
  void windowsSystemReservedHasNoByteCountsSoNoSeries() {
    assertThat(Texts.poll(collector, "windows"))
        .isEqualTo(
            """
            # HELP qga_filesystem_avail_bytes Filesystem space available to unprivileged users, in bytes (size minus used).
            # TYPE qga_filesystem_avail_bytes gauge
            qga_filesystem_avail_bytes{device="\\\\\\\\.\\\\PhysicalDrive0",domain="vm",fstype="NTFS",mountpoint="C:\\\\"} 4.2947571712E10
            # HELP qga_filesystem_size_bytes Filesystem size in bytes as the guest reports it (total-bytes: used plus available to unprivileged users).
            # TYPE qga_filesystem_size_bytes gauge
            qga_filesystem_size_bytes{device="\\\\\\\\.\\\\PhysicalDrive0",domain="vm",fstype="NTFS",mountpoint="C:\\\\"} 6.4422408192E10
            # HELP qga_filesystem_used_bytes Filesystem space used, in bytes.
            # TYPE qga_filesystem_used_bytes gauge
            qga_filesystem_used_bytes{device="\\\\\\\\.\\\\PhysicalDrive0",domain="vm",fstype="NTFS",mountpoint="C:\\\\"} 2.147483648E10
            """);
  }

  @Test
  void qemu25HasNoByteCountsSoNothing() {
    assertThat(Texts.poll(collector, "qemu-2.5")).isEmpty();
  }

  @Test
  void deviceFallsBackToTheFilesystemNameAndAvailNeverGoesNegative() {
    FixtureChannel channel =
        new FixtureChannel("linux-7.2")
            .reply(
                "guest-get-fsinfo",
                """
                {"return": [
                  {"name": "dm-0", "mountpoint": "/data", "type": "xfs", "used-bytes": 200,
                   "total-bytes": 100, "disk": []},
                  {"name": "vdb", "mountpoint": "/neg", "type": "ext4", "used-bytes": -5,
                   "total-bytes": 1000, "disk": [{"bus-type": "virtio", "bus": 0, "target": 0, "unit": 0}]}
                ]}
                """);

    DomainSamples samples =
        collector.poll(channel.agent(), channel.context(Limits.DEFAULT, Texts.CLOCK));

    assertThat(Texts.text("filesystem", samples))
        .isEqualTo(
            """
            # HELP qga_collector_dropped_items Items the guest reported that the collector's last poll dropped: beyond a limit (kind interfaces, addresses, filesystems, users, disks, cpus), invalid values, or duplicate series.
            # TYPE qga_collector_dropped_items gauge
            qga_collector_dropped_items{collector="filesystem",domain="vm",kind="invalid_values"} 1.0
            # HELP qga_filesystem_avail_bytes Filesystem space available to unprivileged users, in bytes (size minus used).
            # TYPE qga_filesystem_avail_bytes gauge
            qga_filesystem_avail_bytes{device="dm-0",domain="vm",fstype="xfs",mountpoint="/data"} 0.0
            # HELP qga_filesystem_size_bytes Filesystem size in bytes as the guest reports it (total-bytes: used plus available to unprivileged users).
            # TYPE qga_filesystem_size_bytes gauge
            qga_filesystem_size_bytes{device="dm-0",domain="vm",fstype="xfs",mountpoint="/data"} 100.0
            qga_filesystem_size_bytes{device="vdb",domain="vm",fstype="ext4",mountpoint="/neg"} 1000.0
            # HELP qga_filesystem_used_bytes Filesystem space used, in bytes.
            # TYPE qga_filesystem_used_bytes gauge
            qga_filesystem_used_bytes{device="dm-0",domain="vm",fstype="xfs",mountpoint="/data"} 200.0
            """);
  }

  @Test
  void filesystemsBeyondTheLimitAreDroppedAndCounted() {
    var list = FixtureChannel.JSON.createArrayNode();
    for (int i = 0; i < 10; i++) {
      list.addObject()
          .put("name", "vd" + i)
          .put("mountpoint", "/m" + i)
          .put("type", "ext4")
          .put("used-bytes", 1)
          .put("total-bytes", 2)
          .putArray("disk");
    }
    FixtureChannel channel = new FixtureChannel("linux-7.2").returns("guest-get-fsinfo", list);
    Limits limits = new Limits(64, 16, 3, 64, 64, 512, 128);

    DomainSamples samples = collector.poll(channel.agent(), channel.context(limits, Texts.CLOCK));

    assertThat(samples.samples()).hasSize(3 * 3);
    assertThat(samples.dropped()).isEqualTo(Map.of("filesystems", 7L));
  }
}
