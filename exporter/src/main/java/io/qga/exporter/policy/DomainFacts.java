package io.qga.exporter.policy;

import io.qga.client.api.Capabilities;
import io.qga.client.api.Filesystem;
import io.qga.collectors.GuestRecord;
import io.qga.collectors.LabelValues;
import io.qga.exporter.runtime.DomainHandle;
import io.qga.exporter.runtime.GuestData;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What rules look at about one domain, taken from the poller's typed cache (never from the guest).
 *
 * @param osId {@code guest-get-osinfo} id, or null when unknown
 * @param capabilities the agent's commands, or null when not known yet
 * @param timeOffsetSeconds the last guest clock offset (guest minus host), or null
 * @param previousTimeOffsetSeconds the offset of the poll before, or null
 * @param usedRatios used/size per mountpoint from the last filesystem poll
 */
public record DomainFacts(
    String domain,
    String osId,
    Capabilities capabilities,
    boolean agentUp,
    boolean frozen,
    Double timeOffsetSeconds,
    Double previousTimeOffsetSeconds,
    Map<String, Double> usedRatios) {

  public DomainFacts {
    usedRatios = Map.copyOf(usedRatios);
  }

  /** Facts from the poller's typed view of {@code handle}. */
  static DomainFacts of(DomainHandle handle, Double previousTimeOffsetSeconds) {
    DomainHandle.AgentState s = handle.state();
    GuestData guest = handle.guest();
    return new DomainFacts(
        handle.name(),
        guest.os() == null || guest.os().os() == null ? null : guest.os().os().id(),
        handle.agent().cachedCapabilities(),
        s != null && s.up(),
        s != null && s.frozen(),
        guest.timeOffsetSeconds(),
        previousTimeOffsetSeconds,
        usedRatios(guest.filesystemList()));
  }

  /** The offset a time collector's poll kept, or null for another collector's record. */
  static Double timeOffset(GuestRecord record) {
    return record instanceof GuestRecord.TimeOffset t && Double.isFinite(t.seconds())
        ? t.seconds()
        : null;
  }

  /** The used ratios of a filesystem collector's poll, or null for another collector's record. */
  static Map<String, Double> usedRatios(GuestRecord record) {
    return record instanceof GuestRecord.Filesystems f ? usedRatios(f.filesystems()) : null;
  }

  /**
   * used/size per mountpoint, for filesystems that report both (size above 0, neither negative).
   * The mountpoint is cleaned like a label value: it ends up in decision reasons.
   */
  static Map<String, Double> usedRatios(List<Filesystem> filesystems) {
    Map<String, Double> ratios = new TreeMap<>();
    for (Filesystem fs : filesystems) {
      Long used = fs.usedBytes();
      Long total = fs.totalBytes();
      if (used != null && total != null && used >= 0 && total > 0) {
        String mountpoint = LabelValues.clean(fs.mountpoint(), GuestRecord.MAX_TEXT);
        ratios.put(mountpoint, (double) used / total);
      }
    }
    return ratios;
  }
}
