package io.qga.exporter.runtime;

import java.util.Collection;
import java.util.Optional;

/** The set of domains the daemon currently knows, kept up to date by discovery. Thread-safe. */
public interface DomainDirectory {

  Optional<DomainHandle> find(String name);

  /** A snapshot of every known domain, sorted by name. */
  Collection<DomainHandle> all();

  void addListener(DomainListener listener);
}
