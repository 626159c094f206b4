package io.qga.exporter.api;

import io.qga.exporter.action.Action;
import io.qga.exporter.action.ActionBusyException;
import io.qga.exporter.action.ActionExecutor;
import io.qga.exporter.action.ActionRecord;
import io.qga.exporter.action.ActionRejectedException;
import io.qga.exporter.action.ActionRequest;
import io.qga.exporter.action.DomainFrozenException;
import io.qga.exporter.action.FreezeGuard;
import io.qga.exporter.action.GuestFailure;
import io.qga.exporter.action.Job;
import io.qga.exporter.action.Origin;
import io.qga.exporter.action.Outcome;
import io.qga.exporter.action.UnknownDomainException;
import io.qga.exporter.config.ExecConfig;
import io.qga.exporter.runtime.DomainHandle;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the exec and file endpoints share: the {@code api.exec.enabled} switch, and running their
 * action through the executor while the request waits (one action per domain, refused rather than
 * queued when the domain is busy or frozen by us; audited first, fail closed), with each way it can
 * fail turned into its status.
 */
final class GuestJobs {
  static final String DISABLED =
      "running programs and moving files in guests is off: api.exec.enabled is false in"
          + " config.yaml (read docs/security.md before turning it on)";

  private final ActionExecutor executor;
  private final FreezeGuard guard;

  GuestJobs(ActionExecutor executor, FreezeGuard guard) {
    this.executor = executor;
    this.guard = guard;
  }

  /** 403 unless {@code api.exec.enabled}. */
  static ExecConfig enabled(ApiRouter.Call call) {
    ExecConfig x = call.settings().api().exec();
    if (!x.enabled()) {
      throw new ApiException(403, DISABLED);
    }
    return x;
  }

  /**
   * Runs {@code action} on {@code d} and waits up to {@code within} for it; returns its record when
   * it succeeded, else throws the refusal that says why not.
   */
  ActionRecord run(
      ApiRouter.Call call, DomainHandle d, Action action, String request, Duration within) {
    Refusals.notFrozenByUs(guard, d, action);
    Refusals.agentAnswering(d, "nothing sent");
    Job job;
    try {
      job =
          executor.submit(
              ActionRequest.of(d.name(), action, Origin.api(call.caller().name()))
                  .withWhenBusy(ActionRequest.WhenBusy.FAIL)
                  .withReason(request));
    } catch (UnknownDomainException e) {
      throw ApiException.notFound(e.getMessage());
    } catch (ActionBusyException e) {
      throw ApiException.conflict(e.getMessage() + "; retry later")
          .with("busy_job", Views.jobId(e.busyJob()));
    } catch (DomainFrozenException e) {
      throw ApiException.conflict(e.getMessage()).with("frozen", true);
    } catch (ActionRejectedException e) {
      throw new ApiException(503, e.getMessage());
    }
    ActionRecord r;
    try {
      r = job.result().get(within.toMillis() + 30_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new ApiException(
              504, action.name() + " is still running as job " + Views.jobId(job.id()))
          .with("job", Views.jobId(job.id()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "interrupted");
    }
    if (job.auditFailure().isPresent()) {
      String why = job.auditFailure().get();
      if (r.error() != null && r.error().startsWith("not run: ")) {
        // fail closed: nothing reached the guest
        throw new ApiException(503, "not run: " + why).with("job", Views.jobId(job.id()));
      }
      throw new ApiException(500, "audit failed: " + why)
          .with("job", Views.jobId(job.id()))
          .with("outcome", r.outcome().wire());
    }
    if (r.outcome() == Outcome.SUCCEEDED) {
      return r;
    }
    if (r.outcome() == Outcome.SKIPPED) {
      throw ApiException.conflict(action.name() + " not run: " + r.error()).with("frozen", true);
    }
    if (r.details() instanceof GuestFailure f) {
      throw refusal(d, f, r);
    }
    throw new ApiException(502, Views.cut(String.valueOf(r.error())));
  }

  private static ApiException refusal(DomainHandle d, GuestFailure f, ActionRecord r) {
    String cmd = f.command() == null ? "the transfer" : f.command();
    String desc = f.description() == null ? "" : f.description();
    if (f.kind().equals("unsupported") && "RouteUnsupported".equals(f.errorClass())) {
      // the guest may offer it: the exporter's route to it (libvirt's typed calls) cannot
      return new ApiException(501, desc).with("unsupported", true).with("command", cmd);
    }
    ApiException x =
        switch (f.kind()) {
          case "unsupported" ->
              new ApiException(
                      422,
                      cmd
                          + (desc.contains("disabled")
                              ? " is disabled in the guest's agent (qemu-ga -b/--block-rpcs, or not"
                                  + " in --allow-rpcs): "
                              : " is not supported by the guest's agent: ")
                          + desc)
                  .with("unsupported", true);
          case "frozen" ->
              ApiException.conflict(
                      "the agent refused " + cmd + ": the guest is frozen; retry after the thaw")
                  .with("frozen", true);
          case "not_found" -> ApiException.notFound("the guest says: " + desc);
          case "error" -> new ApiException(502, "the agent refused " + cmd + ": " + desc);
          case "not_responding" ->
              new ApiException(503, "the agent of " + d.name() + " is not responding")
                  .with("tried", cmd + " on " + d.channel() + ": " + Views.cut(r.error()));
          case "timeout" -> new ApiException(504, desc);
          case "too_large" -> new ApiException(413, desc);
          case "upload" -> new ApiException(400, desc);
          default -> new ApiException(502, "the guest's reply broke the protocol: " + desc);
        };
    x.with("command", cmd);
    if (f.errorClass() != null) {
      x.with("class", f.errorClass());
      x.with("desc", desc);
    }
    if (f.pid() != null) {
      x.with("pid", f.pid());
    }
    if (f.bytes() >= 0) {
      x.with("bytes", f.bytes());
    }
    return x;
  }

  /** The time a request waits for its action: its own limit, and two agent calls on top. */
  static Duration within(Duration limit, Duration callTimeout) {
    return limit.plus(callTimeout.multipliedBy(2));
  }
}
