package io.qga.exporter.runtime;

import io.qga.client.api.GuestAgent;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One known domain as the rest of the daemon sees it (policy engine, control API, landing page).
 * Implemented by the poller. Its {@link #agent()} shares the domain's one channel: calls from the
 * API, the policy engine and the poller are serialised by the channel (one request in flight), each
 * bounded by its own deadline.
 */
public interface DomainHandle {

  /** The domain name (libvirt name, static entry, or the glob's matched text). */
  String name();

  /** The libvirt UUID when known, else empty. */
  Optional<String> uuid();

  /** Where commands go, for humans: a socket path, {@code vsock:3:1234}, {@code libvirt:NAME}. */
  String channel();

  /**
   * How its commands travel: {@code direct} (a socket this exporter connects to), {@code
   * libvirt_typed} (libvirt's typed calls only) or {@code libvirt_raw} (raw agent commands through
   * libvirt, which taint the domain).
   */
  default String route() {
    return "direct";
  }

  /**
   * The discovery source that found it ({@code static}, {@code glob}, {@code libvirt_run_dir},
   * ...).
   */
  default String source() {
    return "";
  }

  /**
   * Each enabled collector polled so far and how: {@code ok}, {@code failing}, {@code frozen}
   * (paused by a freeze) or {@code unsupported} (its command is not offered: by the agent, or not
   * on this route); in name order.
   */
  default Map<String, String> collectors() {
    return Map.of();
  }

  /** The typed agent API on this domain's channel. */
  GuestAgent agent();

  /**
   * True while libvirt has the domain paused or the guest suspended (known from libvirt's events):
   * its agent cannot answer, and that is not the agent's fault.
   */
  default boolean paused() {
    return false;
  }

  /** The current agent state as last observed (never waits on the guest). */
  AgentState state();

  /**
   * The latest typed guest data the collectors decoded (interfaces, filesystems, OS, ...) and the
   * enabled commands of the last {@code guest-info}. The control API serves cached guest data from
   * here and policy conditions read it; never waits on the guest.
   */
  GuestData guest();

  /** The agent's state as observed by polling. */
  record AgentState(
      boolean up,
      String version,
      Instant lastSuccess,
      String lastError,
      Instant lastErrorAt,
      boolean frozen) {}
}
