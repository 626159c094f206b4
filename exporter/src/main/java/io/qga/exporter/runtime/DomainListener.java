package io.qga.exporter.runtime;

import io.qga.collectors.DomainSamples;

/**
 * Events of the poller, for the policy engine. Called on the poller's threads after the event:
 * implementations must return quickly (hand work to their own executor) and never throw.
 */
public interface DomainListener {

  /** The agent answered its first sync after being down or unknown (also at daemon start). */
  default void onAgentUp(DomainHandle domain) {}

  /** The agent stopped answering, or its channel broke. */
  default void onAgentDown(DomainHandle domain, String reason) {}

  /** A collector finished a successful poll of the domain with these fresh samples. */
  default void onCollected(DomainHandle domain, String collector, DomainSamples samples) {}

  /** The domain is no longer discovered (stopped, migrated away). */
  default void onDomainRemoved(String domain) {}
}
