package io.qga.exporter.http;

import java.util.List;

/**
 * What the last discovery refresh could not read (a run dir, a glob directory, the libvirt API),
 * each with its fix; empty when everything was read. {@code /-/ready} answers 503 with these lines
 * and the landing page lists them, so an unreadable source is never silent.
 */
@FunctionalInterface
public interface DiscoveryProblems {
  DiscoveryProblems NONE = List::of;

  List<String> now();
}
