package io.qga.exporter.api;

import io.qga.exporter.action.ActionExecutor;
import io.qga.exporter.action.ActionRecord;
import io.qga.exporter.action.Job;
import io.qga.exporter.config.Durations;
import io.qga.exporter.config.Role;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code GET /api/v1/jobs/{id}}, and the job reply every queued action answers with. */
final class JobsHandler {
  private final ActionExecutor executor;
  private final LiveCalls live;
  private final Clock clock;

  JobsHandler(ActionExecutor executor, LiveCalls live, Clock clock) {
    this.executor = executor;
    this.live = live;
    this.clock = clock;
  }

  /** {@code rest}: the path after {@code /api/v1/jobs}. */
  Reply handle(ApiRouter.Call call, List<String> rest) {
    if (rest.size() != 1) {
      throw call.request().notFound();
    }
    call.request().method("GET");
    call.require(Role.READER, "read a job");
    ControlApi.Settings s = call.settings();
    return reply(job(rest.get(0), s), call.request().waitFor(s.api().maxWait()), false, s);
  }

  /**
   * 200 with the job when it is done (after waiting up to {@code wait}, if a live-call slot is
   * free), else 202 for a job just {@code created}, 200 with the running job otherwise.
   */
  Reply reply(Job job, Duration wait, boolean created, ControlApi.Settings s) {
    LiveCalls.Slot slot;
    if (job.state() != Job.State.DONE
        && !wait.isZero()
        && (slot = live.tryEnter(s.api().maxLiveCalls())) != null) {
      try (slot) {
        job.result().get(wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        // still running: answer with what there is
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    String location = Views.jobLocation(job.id());
    if (job.record().isPresent()) {
      return new Reply(200, Views.job(job), created ? Map.of("Location", location) : Map.of());
    }
    if (!created) {
      return new Reply(200, Views.job(job));
    }
    return new Reply(
        202,
        new Responses.JobAccepted(Views.jobId(job.id()), "running", location),
        Map.of("Location", location));
  }

  private Job job(String id, ControlApi.Settings s) {
    Job job =
        executor
            .job(Views.executorId(id))
            .orElseThrow(() -> ApiException.notFound("unknown job: " + Views.cut(id)));
    Optional<ActionRecord> r = job.record();
    if (r.isPresent()
        && r.get().timestamp().plus(s.api().jobRetention()).isBefore(clock.instant())) {
      throw ApiException.notFound(
          "job "
              + Views.cut(id)
              + " finished more than api.job_retention ("
              + Durations.format(s.api().jobRetention())
              + ") ago; see the audit log");
    }
    return job;
  }
}
