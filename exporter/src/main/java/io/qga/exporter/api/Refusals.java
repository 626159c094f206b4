package io.qga.exporter.api;

import io.qga.exporter.action.Action;
import io.qga.exporter.action.FreezeGuard;
import io.qga.exporter.runtime.DomainHandle;

/** The refusals an action on a domain meets before anything is queued or sent. */
final class Refusals {
  private Refusals() {}

  /** 409 while this exporter holds {@code d} frozen: the action waits for a thaw. */
  static void notFrozenByUs(FreezeGuard guard, DomainHandle d, Action action) {
    guard
        .promised(d.name())
        .ifPresent(
            p -> {
              throw ApiException.conflict(
                      "domain "
                          + d.name()
                          + " is frozen by api:"
                          + p.token()
                          + " until "
                          + p.until()
                          + ": "
                          + action.name()
                          + " waits for a thaw (POST .../fsthaw)")
                  .with("frozen", true)
                  .with("frozen_until", p.until().toString());
            });
  }

  /**
   * 503 when the agent was seen and is down now (a domain never polled yet is given the benefit of
   * the doubt); {@code nothing} ends the message ("nothing sent", "nothing was queued").
   */
  static void agentAnswering(DomainHandle d, String nothing) {
    DomainHandle.AgentState st = d.state();
    if (st != null && !st.up() && (st.lastError() != null || st.lastSuccess() != null)) {
      throw new ApiException(503, "the agent of " + d.name() + " is not responding; " + nothing)
          .with(
              "tried",
              "polling "
                  + d.channel()
                  + ": "
                  + (st.lastError() == null ? "no answer" : Views.cut(st.lastError()))
                  + (st.lastErrorAt() == null ? "" : " (at " + st.lastErrorAt() + ")"));
    }
  }
}
