package io.qga.exporter.api;

import io.qga.exporter.action.ActionRecord;
import io.qga.exporter.action.Exec;
import io.qga.exporter.config.Durations;
import io.qga.exporter.config.ExecConfig;
import io.qga.exporter.config.Role;
import io.qga.exporter.runtime.DomainHandle;
import java.io.IOException;
import java.time.Duration;

/**
 * {@code POST /api/v1/domains/{domain}/exec}: runs a program in the guest through its agent and
 * answers with its exit code and output once it exited (docs/api.md). Admin only, and only with
 * {@code api.exec.enabled}; the request holds one live call slot while it waits.
 */
final class ExecHandler {
  private final DomainsHandler domains;
  private final GuestJobs jobs;
  private final LiveCalls live;
  private final ExecRequests metrics;

  ExecHandler(DomainsHandler domains, GuestJobs jobs, LiveCalls live, ExecRequests metrics) {
    this.domains = domains;
    this.jobs = jobs;
    this.live = live;
    this.metrics = metrics;
  }

  Reply handle(ApiRouter.Call call, String domainName) throws IOException {
    int status = 500;
    try {
      Reply r = exec(call, domainName);
      status = r.status();
      return r;
    } catch (ApiException e) {
      status = e.status();
      throw e;
    } finally {
      metrics.record("exec", status);
    }
  }

  private Reply exec(ApiRouter.Call call, String domainName) throws IOException {
    Request req = call.request();
    ControlApi.Settings s = call.settings();
    req.method("POST");
    call.require(Role.ADMIN, "run programs in a guest");
    ExecConfig x = GuestJobs.enabled(call);
    Bodies.Exec b =
        req.body(
            Math.max(s.api().maxBody(), Bodies.Exec.MAX_BODY),
            Bodies.Exec.class,
            Request.LARGE_STRINGS_JSON);
    if (b.input() != null && b.input().length > x.maxFileSize()) {
      throw new ApiException(
              413,
              "input is "
                  + b.input().length
                  + " bytes, more than api.exec.max_file_size ("
                  + x.maxFileSize()
                  + ")")
          .with("field", "input");
    }
    Duration timeout = b.timeout() == null ? x.defaultTimeout() : b.timeout();
    if (timeout.compareTo(x.maxTimeout()) > 0) {
      timeout = x.maxTimeout(); // a cap, not a refusal: documented in docs/api.md
    }
    DomainHandle d = domains.domain(domainName);
    Duration within = GuestJobs.within(timeout, s.commandTimeout());
    Exec exec =
        new Exec(
            b.path(),
            b.arg(),
            b.env(),
            b.input(),
            b.captureOutput(),
            timeout,
            s.commandTimeout(),
            x.maxOutput());
    ActionRecord r;
    try (LiveCalls.Slot slot = live.enter(s.api().maxLiveCalls(), within, "guest-exec")) {
      r = jobs.run(call, d, exec, "POST /api/v1/domains/" + d.name() + "/exec", within);
    } catch (ApiException e) {
      if (e.status() == 504 && e.member("pid", null) != null) {
        throw new ApiException(
                504,
                "the program did not exit within "
                    + Durations.format(timeout)
                    + "; the guest agent has no way to kill it, so process "
                    + e.member("pid", "")
                    + " keeps running in the guest")
            .with("pid", Long.parseLong(e.member("pid", "0")))
            .with("timeout", Durations.format(timeout));
      }
      throw e;
    }
    Exec.Result res = (Exec.Result) r.details();
    return new Reply(
        200,
        new Responses.ExecResult(
            res.exitCode(),
            res.signal(),
            res.stdout(),
            res.stderr(),
            res.stdoutTruncated(),
            res.stderrTruncated(),
            res.pid(),
            res.durationMs()));
  }
}
