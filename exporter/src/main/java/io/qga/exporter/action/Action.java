package io.qga.exporter.action;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Something the exporter does to a guest through its agent: fstrim and time sync today; the control
 * API adds freeze, thaw, shutdown and command passthrough as further implementations. Every run
 * goes through {@link ActionExecutor}, which serialises actions per domain, applies concurrency
 * limits, checks freeze state, and writes the audit log and state.
 *
 * <p>Implementations are immutable values (usually records).
 */
public interface Action {

  /** The name in config, audit log and metrics, e.g. {@code fstrim}, {@code time_sync}. */
  String name();

  /** The agent command this action needs; a domain whose agent lacks it never matches a rule. */
  String command();

  /**
   * True (the default) when the action must not run while the guest's filesystems are frozen: the
   * executor skips it. A thaw overrides this.
   */
  default boolean blockedByFreeze() {
    return true;
  }

  /**
   * True when the action runs even when its "started" record cannot be written to the audit log
   * (the default is to refuse it). Only for actions whose refusal does more harm than an unaudited
   * run: the thaw that ends a freeze.
   */
  default boolean runsWithoutAudit() {
    return false;
  }

  /** The action's arguments, for the audit log and dry runs, e.g. {@code {"minimum": 0}}. */
  ObjectNode arguments();

  /**
   * Does it. Called by the executor only, with the domain reserved for this action.
   *
   * @return the outcome (succeeded or failed) with details
   * @throws io.qga.client.AgentException when the agent failed; the executor records it
   */
  ActionReport run(ActionContext context);
}
