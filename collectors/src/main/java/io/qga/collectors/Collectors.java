package io.qga.collectors;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The registry: every collector by name, in a stable order. Collectors are stateless. */
public final class Collectors {
  private static final List<Collector> ALL =
      List.of(
          new NetworkCollector(),
          new FilesystemCollector(),
          new UsersCollector(),
          new MemoryBlocksCollector(),
          new VcpusCollector(),
          new OsCollector(),
          new TimeCollector(),
          new FsfreezeCollector(),
          new LoadCollector(),
          new CpuCollector(),
          new DiskCollector());

  private static final Map<String, Collector> BY_NAME;

  static {
    Map<String, Collector> m = new LinkedHashMap<>();
    ALL.forEach(c -> m.put(c.name(), c));
    BY_NAME = java.util.Collections.unmodifiableMap(m);
  }

  private Collectors() {}

  /**
   * Every collector: network, filesystem, users, memory_blocks, vcpus, os, time, fsfreeze,
   * load, cpu, disk.
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
}
