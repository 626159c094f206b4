package io.qga.exporter.discovery;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.List;
import java.util.Map;

/** Discovery's own series (no {@code domain} label): what it had to leave out. */
public final class DiscoveryMetrics {
  private DiscoveryMetrics() {}

  /**
   * {@code qga_discovery_dropped_entries{reason}} of the last refresh, every reason present (0
   * when nothing was left out) so that an alert can rely on the series.
   */
  public static GaugeSnapshot dropped(Discovery discovery) {
    Map<String, Long> dropped = discovery == null ? Map.of() : discovery.dropped();
    GaugeSnapshot.Builder b =
        GaugeSnapshot.builder()
            .name("qga_discovery_dropped_entries")
            .help(
                "Sockets the last discovery refresh left out: over_directory_limit (a directory"
                    + " holds more matching entries than a glob keeps), socket_path_too_long");
    for (String reason : List.of(Discovery.OVER_DIRECTORY_LIMIT, Discovery.SOCKET_PATH_TOO_LONG)) {
      b.dataPoint(
          GaugeSnapshot.GaugeDataPointSnapshot.builder()
              .labels(Labels.of("reason", reason))
              .value(dropped.getOrDefault(reason, 0L))
              .build());
    }
    return b.build();
  }
}
