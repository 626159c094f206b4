package io.qga.exporter.api;

import io.qga.client.AgentErrorException;
import io.qga.client.AgentException;
import io.qga.client.AgentUnsupportedException;
import io.qga.exporter.action.ActionExecutor;
import io.qga.exporter.action.Job;
import io.qga.exporter.config.Durations;
import io.qga.exporter.runtime.DomainHandle;
import java.time.Duration;

/** How a live call's failure reads: 503 not responding, 422 unsupported, 502 refused or broken. */
final class AgentReplies {
  private AgentReplies() {}

  /** 503 naming what was tried, and the job that holds the agent when one runs. */
  static ApiException notResponding(
      DomainHandle d, String command, Duration timeout, AgentException e, ActionExecutor executor) {
    ApiException x =
        new ApiException(503, "the agent of " + d.name() + " is not responding")
            .with(
                "tried",
                command
                    + " on "
                    + d.channel()
                    + " within "
                    + Durations.format(timeout)
                    + " (synced first): "
                    + Views.cut(e.getMessage()));
    for (Job j : executor.active()) {
      if (j.request().domain().equals(d.name()) && j.state() == Job.State.RUNNING) {
        x.with("busy_job", Views.jobId(j.id()));
        x.with("busy_action", j.request().action().name());
      }
    }
    return x;
  }

  static ApiException agentError(AgentException e) {
    if (e instanceof io.qga.client.AgentFrozenException f) {
      return ApiException.conflict(
              "the agent refused " + f.command() + ": the guest is frozen; retry after the thaw")
          .with("frozen", true)
          .with("class", f.errorClass())
          .with("desc", Views.cut(f.description()));
    }
    if (e instanceof AgentUnsupportedException a && a.errorClass().equals("RouteUnsupported")) {
      // the guest may well offer it: this exporter's route to it has no way to ask
      return new ApiException(501, Views.cut(a.description()))
          .with("class", a.errorClass())
          .with("unsupported", true);
    }
    if (e instanceof AgentErrorException a) {
      boolean unsupported = a instanceof AgentUnsupportedException;
      ApiException x =
          new ApiException(
                  unsupported ? 422 : 502,
                  "the agent refused " + a.command() + ": " + Views.cut(a.description()))
              .with("class", a.errorClass())
              .with("desc", Views.cut(a.description()));
      if (unsupported) {
        x.with("unsupported", true);
      }
      return x;
    }
    return new ApiException(
        502, "the agent's reply broke the protocol: " + Views.cut(e.getMessage()));
  }
}
