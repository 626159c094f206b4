package io.qga.exporter.poll;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Predicate;

/**
 * The last result of every collector of one {@link PolledDomain}, by collector name, sorted:
 * scrapes read it in name order, without copying. Also which collectors were logged as not offered
 * by the agent (one line each until the agent changes).
 */
final class CollectorStates {
  private final ConcurrentSkipListMap<String, CollectorState> byName =
      new ConcurrentSkipListMap<>();
  private final Set<String> loggedUnsupported = ConcurrentHashMap.newKeySet();

  CollectorState get(String collector) {
    return byName.get(collector);
  }

  /** Returns the state before. */
  CollectorState put(String collector, CollectorState state) {
    return byName.put(collector, state);
  }

  /** Each collector's state in a word ({@code DomainHandle.collectors()}), in name order. */
  Map<String, String> summary() {
    Map<String, String> out = new TreeMap<>();
    view()
        .forEach(
            (name, c) ->
                out.put(
                    name,
                    c.unsupported()
                        ? "unsupported"
                        : c.frozen() ? "frozen" : c.success() ? "ok" : "failing"));
    return out;
  }

  /** A live, read-only view in collector name order (each entry as of when it is read). */
  Map<String, CollectorState> view() {
    return Collections.unmodifiableMap(byName);
  }

  /** The collectors that succeeded at least once and are offered by the agent, in name order. */
  List<String> withSeries() {
    return byName.entrySet().stream()
        .filter(e -> e.getValue().exposed() != null && !e.getValue().unsupported())
        .map(Map.Entry::getKey)
        .toList();
  }

  /** Collectors were disabled by a reload: their series go away. */
  void retain(Set<String> enabled) {
    byName.keySet().retainAll(enabled);
  }

  /** A new agent may offer what the old one lacked: unsupported collectors are tried again. */
  void agentChanged() {
    byName.values().removeIf(CollectorState::unsupported);
    loggedUnsupported.clear();
  }

  /** Unsupported collectors whose command is offered now are polled again. */
  void offeredAgain(Predicate<String> supported) {
    byName.entrySet().removeIf(e -> e.getValue().unsupported() && supported.test(e.getKey()));
  }

  /** True the first time (since the agent changed) the collector is found not offered. */
  boolean firstUnsupported(String collector) {
    return loggedUnsupported.add(collector);
  }

  /** The collectors paused by a freeze. */
  List<String> pausedByFreeze() {
    return byName.entrySet().stream()
        .filter(e -> e.getValue().frozen())
        .map(Map.Entry::getKey)
        .toList();
  }
}
