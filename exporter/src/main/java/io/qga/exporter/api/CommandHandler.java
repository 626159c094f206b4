package io.qga.exporter.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.AgentCommand;
import io.qga.client.AgentConnectionException;
import io.qga.client.AgentException;
import io.qga.client.AgentTimeoutException;
import io.qga.client.Deadlines;
import io.qga.exporter.action.ActionBusyException;
import io.qga.exporter.action.ActionExecutor;
import io.qga.exporter.action.ActionRecord;
import io.qga.exporter.action.ActionRejectedException;
import io.qga.exporter.action.ActionRequest;
import io.qga.exporter.action.Command;
import io.qga.exporter.action.Job;
import io.qga.exporter.action.Origin;
import io.qga.exporter.action.Outcome;
import io.qga.exporter.config.Durations;
import io.qga.exporter.config.Glob;
import io.qga.exporter.config.Role;
import io.qga.exporter.runtime.DomainHandle;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /api/v1/domains/{domain}/command}, the passthrough: read-only commands are sent
 * directly; anything that may change the guest runs through the executor (audited, one action per
 * domain). The exporter's own and the guarded commands are refused with the endpoint to use.
 */
final class CommandHandler {
  /** Commands the passthrough runs directly (read-only); others go through the executor. */
  static final List<String> READ_ONLY =
      List.of(
          "guest-info",
          "guest-ping",
          "guest-get-*",
          "guest-network-get-*",
          "guest-fsfreeze-status");

  private final DomainsHandler domains;
  private final ActionExecutor executor;
  private final LiveCalls live;

  CommandHandler(DomainsHandler domains, ActionExecutor executor, LiveCalls live) {
    this.domains = domains;
    this.executor = executor;
    this.live = live;
  }

  Reply handle(ApiRouter.Call call, String domainName) throws IOException {
    Request req = call.request();
    ControlApi.Settings s = call.settings();
    req.method("POST");
    call.require(Role.ADMIN, "run an agent command");
    Bodies.Command b = req.body(s.api().maxBody(), Bodies.Command.class);
    DomainHandle d = domains.domain(domainName);
    String name = b.command();
    ObjectNode args = b.arguments();
    if (name.startsWith("guest-sync")) {
      throw new ApiException(403, name + " is the exporter's own: it keeps the channel in step")
          .with("command", name);
    }
    String endpoint = Command.GUARDED.get(name);
    if (endpoint != null) {
      String use = "POST /api/v1/domains/" + d.name() + "/" + endpoint;
      throw new ApiException(
              403,
              name
                  + " is not run through the passthrough: use "
                  + use
                  + (endpoint.equals("fsfreeze")
                      ? ", which records a durable thaw promise and thaws by a deadline"
                      : ", which keeps the exporter's freeze and audit records right"))
          .with("command", name)
          .with("use", use);
    }
    if (!s.api().allowsCommand(name)) {
      throw new ApiException(
              403,
              "command "
                  + name
                  + " is not on api.command_allow_list ("
                  + String.join(", ", s.api().commandAllowList())
                  + ")")
          .with("command", name);
    }
    boolean readOnly = READ_ONLY.stream().anyMatch(g -> Glob.matches(g, name));
    if (readOnly) {
      Duration timeout = s.commandTimeout();
      try (LiveCalls.Slot slot = live.enter(s.api().maxLiveCalls(), timeout, name)) {
        JsonNode value = d.agent().withTimeout(timeout).execute(name, args);
        return new Reply(200, new Responses.CommandReturn(value, null));
      } catch (AgentTimeoutException | AgentConnectionException e) {
        throw AgentReplies.notResponding(d, name, timeout, e, executor);
      } catch (AgentException e) {
        throw AgentReplies.agentError(e);
      }
    }
    // may change the guest: through the executor (audited, one action per domain)
    Duration timeout =
        AgentCommand.NO_SUCCESS_REPLY.contains(name)
            ? s.commandTimeout()
            : min(Deadlines.defaultFor(name), s.api().maxWait());
    try (LiveCalls.Slot slot = live.enter(s.api().maxLiveCalls(), timeout, name)) {
      return await(call, d, name, args, timeout);
    }
  }

  private Reply await(
      ApiRouter.Call call, DomainHandle d, String name, ObjectNode args, Duration timeout) {
    Job job;
    try {
      job =
          executor.submit(
              ActionRequest.of(
                      d.name(), new Command(name, args, timeout), Origin.api(call.caller().name()))
                  .withWhenBusy(ActionRequest.WhenBusy.FAIL)
                  .withReason("POST /api/v1/domains/" + d.name() + "/command"));
    } catch (ActionBusyException e) {
      throw ApiException.conflict(e.getMessage()).with("busy_job", Views.jobId(e.busyJob()));
    } catch (ActionRejectedException e) {
      throw new ApiException(503, e.getMessage());
    }
    ActionRecord r;
    try {
      r = job.result().get(timeout.toMillis() + 30_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new ApiException(504, "the command is still running as job " + Views.jobId(job.id()))
          .with("job", Views.jobId(job.id()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "interrupted");
    }
    if (job.auditFailure().isPresent()) {
      // ran or refused, the caller must not read it as plain success
      throw new ApiException(500, "audit failed: " + job.auditFailure().get())
          .with("job", Views.jobId(job.id()))
          .with("outcome", r.outcome().wire());
    }
    if (r.details() instanceof Command.Report rep) {
      if (rep.kind() == null) {
        return new Reply(200, new Responses.CommandReturn(rep.value(), Views.jobId(job.id())));
      }
      switch (rep.kind()) {
        case "unsupported" -> {
          throw new ApiException(
                  422, "the agent does not support " + name + ": " + Views.cut(rep.description()))
              .with("class", rep.errorClass())
              .with("desc", Views.cut(rep.description()))
              .with("unsupported", true);
        }
        case "error" -> {
          throw new ApiException(
                  502, "the agent refused " + name + ": " + Views.cut(rep.description()))
              .with("class", rep.errorClass())
              .with("desc", Views.cut(rep.description()));
        }
        case "not_responding" -> {
          throw new ApiException(503, "the agent of " + d.name() + " is not responding")
              .with(
                  "tried",
                  name
                      + " on "
                      + d.channel()
                      + " within "
                      + Durations.format(timeout)
                      + ": "
                      + Views.cut(r.error()));
        }
        default -> throw new ApiException(502, Views.cut(r.error()));
      }
    }
    throw new ApiException(r.outcome() == Outcome.SKIPPED ? 409 : 502, String.valueOf(r.error()));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
