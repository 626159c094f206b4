package io.qga.exporter.discovery;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Discovery's own series (no {@code domain} label): what it had to leave out. */
public final class DiscoveryMetrics {
  private DiscoveryMetrics() {}

  /**
   * {@code qga_discovery_dropped_entries{reason}} of the last refresh, every reason present (0 when
   * nothing was left out) so that an alert can rely on the series.
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

  /** {@code qga_discovery_errors{source}}: what the last refresh could not read, per source. */
  public static GaugeSnapshot errors(Discovery discovery) {
    GaugeSnapshot.Builder b =
        GaugeSnapshot.builder()
            .name("qga_discovery_errors")
            .help(
                "Entries or sources discovery could not read in its last refresh, per configured"
                    + " source (the log and /-/ready name each one with its fix)");
    new TreeMap<>(discovery == null ? Map.<String, Integer>of() : discovery.errors())
        .forEach(
            (source, n) ->
                b.dataPoint(
                    GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .labels(Labels.of("source", source))
                        .value(n)
                        .build()));
    return b.build();
  }
}
