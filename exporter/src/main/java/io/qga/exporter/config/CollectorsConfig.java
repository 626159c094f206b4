package io.qga.exporter.config;

import io.qga.collectors.Collectors;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code collectors}: every collector by name, defaults filled in, in CONTRACT.md order. */
public record CollectorsConfig(Map<String, CollectorConfig> byName) {

  /** Collector names and default intervals, from the collector registry (CONTRACT.md order). */
  static final Map<String, Duration> DEFAULT_INTERVALS = Collectors.defaultIntervals();

  /** Every collector name the config knows. */
  public static final List<String> NAMES = List.copyOf(DEFAULT_INTERVALS.keySet());

  public static final CollectorsConfig DEFAULT = new CollectorsConfig(Map.of());

  /** Missing names get their defaults (enabled, default interval). */
  public CollectorsConfig {
    Map<String, CollectorConfig> all = new LinkedHashMap<>();
    for (var e : DEFAULT_INTERVALS.entrySet()) {
      CollectorConfig given = byName.get(e.getKey());
      all.put(e.getKey(), given != null ? given : new CollectorConfig(true, e.getValue()));
    }
    for (String name : byName.keySet()) {
      if (!all.containsKey(name)) {
        throw new IllegalArgumentException(
            "unknown collector '" + name + "' (valid: " + String.join(", ", NAMES) + ")");
      }
    }
    byName = java.util.Collections.unmodifiableMap(all);
  }

  /** The settings of one collector; throws IllegalArgumentException for an unknown name. */
  public CollectorConfig get(String name) {
    CollectorConfig c = byName.get(name);
    if (c == null) {
      throw new IllegalArgumentException(
          "unknown collector '" + name + "' (valid: " + String.join(", ", NAMES) + ")");
    }
    return c;
  }

  public boolean enabled(String name) {
    return get(name).enabled();
  }

  public Duration interval(String name) {
    return get(name).interval();
  }
}
