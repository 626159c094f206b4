package io.qga.exporter.discovery;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed between two discovery results, by domain name.
 *
 * @param added domains that were not there before
 * @param removed names of domains that are gone
 * @param changed domains whose route or uuid changed (the new value): reconnect them
 */
public record DiscoveryDiff(
    List<DiscoveredDomain> added, List<String> removed, List<DiscoveredDomain> changed) {

  public DiscoveryDiff {
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    changed = List.copyOf(changed);
  }

  public static DiscoveryDiff between(
      Collection<DiscoveredDomain> before, Collection<DiscoveredDomain> after) {
    Map<String, DiscoveredDomain> old = byName(before);
    Map<String, DiscoveredDomain> now = byName(after);
    List<DiscoveredDomain> added = new ArrayList<>();
    List<DiscoveredDomain> changed = new ArrayList<>();
    for (DiscoveredDomain d : now.values()) {
      DiscoveredDomain was = old.get(d.name());
      if (was == null) {
        added.add(d);
      } else if (!was.equals(d)) {
        changed.add(d);
      }
    }
    List<String> removed = old.keySet().stream().filter(n -> !now.containsKey(n)).sorted().toList();
    return new DiscoveryDiff(added, removed, changed);
  }

  public boolean isEmpty() {
    return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
  }

  private static Map<String, DiscoveredDomain> byName(Collection<DiscoveredDomain> domains) {
    Map<String, DiscoveredDomain> m = new LinkedHashMap<>();
    domains.stream()
        .sorted(Comparator.comparing(DiscoveredDomain::name))
        .forEach(d -> m.putIfAbsent(d.name(), d));
    return m;
  }
}
