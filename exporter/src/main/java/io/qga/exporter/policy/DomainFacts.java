package io.qga.exporter.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.qga.client.api.Capabilities;
import io.qga.collectors.DomainSamples;
import io.qga.exporter.runtime.DomainHandle;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What rules look at about one domain, taken from the poller's cache (never from the guest).
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

  static final String TIME_OFFSET = "qga_guest_time_offset_seconds";
  static final String FS_USED = "qga_filesystem_used_bytes";
  static final String FS_SIZE = "qga_filesystem_size_bytes";

  public DomainFacts {
    usedRatios = Map.copyOf(usedRatios);
  }

  /** Facts from the poller's view of {@code handle}. */
  static DomainFacts of(DomainHandle handle, Double previousTimeOffsetSeconds) {
    DomainHandle.AgentState s = handle.state();
    String osId =
        handle
            .lastReply("guest-get-osinfo")
            .map(o -> o.path("id"))
            .filter(JsonNode::isTextual)
            .map(JsonNode::asText)
            .orElse(null);
    Map<String, DomainSamples> samples = handle.lastSamples();
    return new DomainFacts(
        handle.name(),
        osId,
        handle.agent().cachedCapabilities(),
        s != null && s.up(),
        s != null && s.frozen(),
        timeOffset(samples.get("time")),
        previousTimeOffsetSeconds,
        usedRatios(samples.get("filesystem")));
  }

  static Double timeOffset(DomainSamples samples) {
    if (samples == null) {
      return null;
    }
    for (DomainSamples.Sample s : samples.samples()) {
      if (s.family().name().equals(TIME_OFFSET) && Double.isFinite(s.value())) {
        return s.value();
      }
    }
    return null;
  }

  static Map<String, Double> usedRatios(DomainSamples samples) {
    Map<String, Double> used = new TreeMap<>();
    Map<String, Double> size = new TreeMap<>();
    if (samples != null) {
      for (DomainSamples.Sample s : samples.samples()) {
        String name = s.family().name();
        if (name.equals(FS_USED) || name.equals(FS_SIZE)) {
          String mountpoint = label(s, "mountpoint");
          if (mountpoint != null) {
            (name.equals(FS_USED) ? used : size).put(mountpoint, s.value());
          }
        }
      }
    }
    Map<String, Double> ratios = new TreeMap<>();
    used.forEach(
        (mountpoint, u) -> {
          Double total = size.get(mountpoint);
          if (total != null && total > 0 && u >= 0) {
            ratios.put(mountpoint, u / total);
          }
        });
    return ratios;
  }

  private static String label(DomainSamples.Sample s, String name) {
    List<String> names = s.family().labelNames();
    int i = names.indexOf(name);
    return i < 0 || i >= s.labelValues().size() ? null : s.labelValues().get(i);
  }
}
