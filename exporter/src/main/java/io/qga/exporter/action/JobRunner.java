package io.qga.exporter.action;

import io.qga.client.AgentException;
import io.qga.client.AgentTimeoutException;
import io.qga.client.AgentUnsupportedException;
import io.qga.client.api.FreezeStatus;
import io.qga.client.api.GuestAgent;
import io.qga.exporter.runtime.DomainDirectory;
import io.qga.exporter.runtime.DomainHandle;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One run of a job for the {@link ActionExecutor}, on its worker thread: the freeze check, the
 * action against the guest, and the {@link ActionRecord} of what happened (also of dry runs and
 * runs that never started). The executor keeps the queue, the limits and the audit.
 */
final class JobRunner {
  private final DomainDirectory domains;
  private final Clock clock;

  JobRunner(DomainDirectory domains, Clock clock) {
    this.domains = domains;
    this.clock = clock;
  }

  ActionRecord execute(Job job, Instant started) {
    ActionRequest r = job.request();
    Optional<DomainHandle> found = domains.find(r.domain());
    if (found.isEmpty()) {
      return record(job, started, Outcome.SKIPPED, null, "domain no longer known", List.of());
    }
    DomainHandle handle = found.get();
    GuestAgent agent = handle.agent();
    if (r.action().blockedByFreeze()) {
      String frozen;
      try {
        frozen =
            agent.fsfreezeStatus() == FreezeStatus.FROZEN
                ? "filesystems are frozen (guest-fsfreeze-status)"
                : null;
      } catch (AgentUnsupportedException e) {
        // the agent cannot report it: trust the poller's view
        DomainHandle.AgentState s = handle.state();
        frozen = s != null && s.frozen() ? "filesystems are frozen (last poll)" : null;
      } catch (AgentException e) {
        return record(
            job,
            started,
            Outcome.FAILED,
            null,
            "cannot read the freeze state: " + describe(e),
            List.of());
      }
      if (frozen != null) {
        return record(job, started, Outcome.SKIPPED, null, frozen, List.of());
      }
    }
    try {
      ActionReport report = r.action().run(new ActionContext(r.domain(), agent, clock));
      return record(
          job, started, report.outcome(), report.details(), report.error(), report.warnings());
    } catch (AgentException e) {
      return record(job, started, Outcome.FAILED, null, describe(e), List.of());
    }
  }

  static String describe(AgentException e) {
    if (e instanceof AgentUnsupportedException u) {
      return "the agent does not support " + u.command() + ": " + u.description();
    }
    if (e instanceof AgentTimeoutException) {
      return "agent not responding: " + e.getMessage();
    }
    return e.getMessage();
  }

  ActionRecord dryRunRecord(Job job, DomainHandle handle) {
    Instant now = clock.instant();
    DomainHandle.AgentState s = handle.state();
    List<String> notes = new ArrayList<>();
    if (s != null && !s.up()) {
      notes.add("the agent is down: a real run would fail");
    }
    if (s != null && s.frozen() && job.request().action().blockedByFreeze()) {
      notes.add("the domain is frozen: a real run would be skipped");
    }
    return record(job, now, Outcome.DRY_RUN, null, null, notes);
  }

  ActionRecord record(
      Job job,
      Instant started,
      Outcome outcome,
      ActionDetails details,
      String error,
      List<String> warnings) {
    ActionRequest r = job.request();
    Instant end = clock.instant();
    return new ActionRecord(
        job.id(),
        end.isBefore(started) ? started : end,
        started,
        r.domain(),
        r.action().name(),
        r.action().arguments(),
        r.origin(),
        r.dryRun(),
        outcome,
        r.reason(),
        details,
        error,
        warnings);
  }
}
