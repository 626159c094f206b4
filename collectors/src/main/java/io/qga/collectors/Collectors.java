package io.qga.collectors;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registry: every collector by name with its default polling interval, in a stable order (the
 * order of the config's {@code collectors} section and of CONTRACT.md). Collectors are stateless.
 * The config takes names and default intervals from here, so a new collector is registered in this
 * one place.
 */
public final class Collectors {
  private static final Map<Collector, Duration> DEFAULT_INTERVALS = registry();
  private static final List<Collector> ALL = List.copyOf(DEFAULT_INTERVALS.keySet());

  private static final Map<String, Collector> BY_NAME;
  private static final Map<String, Duration> INTERVALS_BY_NAME;

  static {
    Map<String, Collector> m = new LinkedHashMap<>();
    Map<String, Duration> intervals = new LinkedHashMap<>();
    DEFAULT_INTERVALS.forEach(
        (c, interval) -> {
          m.put(c.name(), c);
          intervals.put(c.name(), interval);
        });
    BY_NAME = java.util.Collections.unmodifiableMap(m);
    INTERVALS_BY_NAME = java.util.Collections.unmodifiableMap(intervals);
  }

  private Collectors() {}

  private static Map<Collector, Duration> registry() {
    Map<Collector, Duration> m = new LinkedHashMap<>();
    m.put(new NetworkCollector(), Duration.ofSeconds(15));
    m.put(new FilesystemCollector(), Duration.ofSeconds(60));
    m.put(new UsersCollector(), Duration.ofSeconds(30));
    m.put(new MemoryBlocksCollector(), Duration.ofSeconds(300));
    m.put(new VcpusCollector(), Duration.ofSeconds(60));
    m.put(new OsCollector(), Duration.ofSeconds(300));
    m.put(new TimeCollector(), Duration.ofSeconds(30));
    m.put(new FsfreezeCollector(), Duration.ofSeconds(30));
    m.put(new LoadCollector(), Duration.ofSeconds(15));
    m.put(new CpuCollector(), Duration.ofSeconds(15));
    m.put(new DiskCollector(), Duration.ofSeconds(15));
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * Every collector: network, filesystem, users, memory_blocks, vcpus, os, time, fsfreeze, load,
   * cpu, disk.
   */
  public static List<Collector> all() {
    return ALL;
  }

  public static Optional<Collector> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** Name to collector, in the order of {@link #all()}. */
  public static Map<String, Collector> byName() {
    return BY_NAME;
  }

  /** Every collector name, in the order of {@link #all()} (for config validation). */
  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }

  /** Name to the interval a collector is polled at unless the config says otherwise. */
  public static Map<String, Duration> defaultIntervals() {
    return INTERVALS_BY_NAME;
  }
}
