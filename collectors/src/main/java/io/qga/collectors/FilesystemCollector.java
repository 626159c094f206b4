package io.qga.collectors;

import io.qga.client.api.Filesystem;
import io.qga.client.api.GuestAgent;
import java.util.List;

/**
 * {@code guest-get-fsinfo}: size, used and available bytes per mounted filesystem. Byte counts are
 * absent before QEMU 3.0 and for Windows volumes without a mount path ("System Reserved"): such
 * filesystems produce no series. {@code avail} is {@code total - used}, which on Linux is the space
 * available to unprivileged users (bavail x frsize), as node_exporter's {@code avail}.
 */
final class FilesystemCollector implements Collector {
  private static final String[] LABELS = {"mountpoint", "fstype", "device"};

  static final MetricFamily SIZE =
      MetricFamily.gaugeIn(
          "bytes",
          "qga_filesystem_size_bytes",
          "Filesystem size in bytes as the guest reports it (total-bytes: used plus available"
              + " to unprivileged users).",
          LABELS);
  static final MetricFamily USED =
      MetricFamily.gaugeIn(
          "bytes", "qga_filesystem_used_bytes", "Filesystem space used, in bytes.", LABELS);
  static final MetricFamily AVAIL =
      MetricFamily.gaugeIn(
          "bytes",
          "qga_filesystem_avail_bytes",
          "Filesystem space available to unprivileged users, in bytes (size minus used).",
          LABELS);

  @Override
  public String name() {
    return "filesystem";
  }

  @Override
  public List<String> commands() {
    return List.of("guest-get-fsinfo");
  }

  @Override
  public void collect(GuestAgent agent, CollectContext context, SampleSink out) {
    List<Filesystem> filesystems = agent.getFsinfo();
    out.keep(GuestRecord.Filesystems.of(filesystems, out.limits()));
    int kept = Math.min(filesystems.size(), out.limits().maxFilesystems());
    out.dropped("filesystems", filesystems.size() - kept);
    for (Filesystem fs : filesystems.subList(0, kept)) {
      if (fs == null) {
        out.dropped(DomainSamples.INVALID_VALUES, 1);
        continue;
      }
      String mountpoint = orEmpty(fs.mountpoint());
      String fstype = orEmpty(fs.type());
      String device = device(fs);
      Long total = nonNegative(fs.totalBytes(), out);
      Long used = nonNegative(fs.usedBytes(), out);
      if (total != null) {
        out.gauge(SIZE, total, mountpoint, fstype, device);
      }
      if (used != null) {
        out.gauge(USED, used, mountpoint, fstype, device);
      }
      if (total != null && used != null) {
        out.gauge(AVAIL, Math.max(0, total - used), mountpoint, fstype, device);
      }
    }
  }

  /** The first disk's device node ({@code /dev/vda}), else the filesystem's own name. */
  private static String device(Filesystem fs) {
    if (!fs.disks().isEmpty() && fs.disks().get(0) != null && fs.disks().get(0).dev() != null) {
      return fs.disks().get(0).dev();
    }
    return orEmpty(fs.name());
  }

  private static Long nonNegative(Long value, SampleSink out) {
    if (value != null && value < 0) {
      out.dropped(DomainSamples.INVALID_VALUES, 1);
      return null;
    }
    return value;
  }

  private static String orEmpty(String value) {
    return value == null ? "" : value;
  }
}
