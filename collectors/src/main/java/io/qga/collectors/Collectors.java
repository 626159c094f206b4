package io.qga.collectors;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The registry: every collector by name, in a stable order. */
public final class Collectors {
  private Collectors() {}

  /** Every collector, in the order of CONTRACT.md. */
  public static List<Collector> all() {
    return List.of();
  }

  public static Optional<Collector> byName(String name) {
    return all().stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /** Name to collector. */
  public static Map<String, Collector> byName() {
    Map<String, Collector> m = new java.util.LinkedHashMap<>();
    all().forEach(c -> m.put(c.name(), c));
    return m;
  }
}
