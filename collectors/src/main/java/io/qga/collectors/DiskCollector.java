package io.qga.collectors;

import io.qga.client.api.DiskStats;
import io.qga.client.api.GuestAgent;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code guest-get-diskstats} (7.1+, Linux): bytes read and written per block device. Like
 * node_exporter's default, loop, ram, zram and floppy devices and partitions of whole disks are
 * left out (partitions would count their disk's I/O twice in a sum), before the cap.
 */
final class DiskCollector implements Collector {
  /** node_exporter's default {@code --collector.diskstats.device-exclude}. */
  static final Pattern EXCLUDED =
      Pattern.compile("^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$");

  /** Linux diskstats count 512-byte sectors whatever the device's sector size. */
  private static final int SECTOR_BYTES = 512;

  static final MetricFamily READ_BYTES =
      MetricFamily.counter(
          "bytes",
          "qga_guest_disk_read_bytes",
          "Bytes read from the guest's block device.",
          "device");
  static final MetricFamily WRITTEN_BYTES =
      MetricFamily.counter(
          "bytes",
          "qga_guest_disk_written_bytes",
          "Bytes written to the guest's block device.",
          "device");

  @Override
  public String name() {
    return "disk";
  }

  @Override
  public List<String> commands() {
    return List.of("guest-get-diskstats");
  }

  @Override
  public void collect(GuestAgent agent, CollectContext context, SampleSink out) {
    int max = out.limits().maxDisks();
    int kept = 0;
    long dropped = 0;
    for (DiskStats disk : agent.getDiskstats()) {
      if (disk == null || disk.name() == null) {
        out.dropped(DomainSamples.INVALID_VALUES, 1);
        continue;
      }
      if (EXCLUDED.matcher(disk.name()).matches()) {
        continue;
      }
      if (kept == max) {
        dropped++;
        continue;
      }
      kept++;
      DiskStats.Stats stats = disk.stats();
      if (stats == null) {
        continue;
      }
      sectors(out, READ_BYTES, stats.readSectors(), disk.name());
      sectors(out, WRITTEN_BYTES, stats.writeSectors(), disk.name());
    }
    out.dropped("disks", dropped);
  }

  private static void sectors(SampleSink out, MetricFamily family, Long sectors, String device) {
    if (sectors != null) {
      // in double: a hostile sector count times 512 must not wrap around to a small value
      out.counter(family, (double) sectors * SECTOR_BYTES, device);
    }
  }
}
