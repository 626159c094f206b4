package io.qga.exporter.action;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.exporter.runtime.DomainDirectory;
import io.qga.exporter.runtime.DomainHandle;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one executor of every action, from policies and from the control API.
 *
 * <ul>
 *   <li>At most one action runs on a domain at a time; requests queue first come, first served
 *       ({@link ActionRequest.WhenBusy#WAIT}) or fail fast with {@link ActionBusyException} ({@link
 *       ActionRequest.WhenBusy#FAIL}).
 *   <li>At most {@code actionLimits.get(name)} runs of one action at a time on the host (e.g. no
 *       fstrim storm on shared storage), and at most {@link ActionRequest.Limit#max()} runs per
 *       request limit key (a policy's {@code max_concurrent}).
 *   <li>An action blocked by freeze never runs on a frozen domain: it is skipped.
 *   <li>Every run, dry runs included, is written to the audit log before its job completes;
 *       successes update {@link ActionState} (saved atomically).
 *   <li>Fail closed: a run first writes a "started" line and forces it to disk; when that fails the
 *       action is not run (except a thaw, {@link Action#runsWithoutAudit}) and its job fails. A run
 *       whose final record cannot be written keeps its outcome, and its job says the audit failed
 *       ({@link Job#auditFailure}).
 * </ul>
 *
 * <p>Queued jobs occupy no thread; each running job occupies one worker thread.
 */
public final class ActionExecutor implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ActionExecutor.class.getName());

  /** Finished jobs kept for lookups by id (the API's {@code GET /api/v1/jobs/{id}}). */
  static final int KEEP_FINISHED = 1000;

  /** How long {@link #close} lets running actions finish. */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(10);

  /** The {@code result} of the audit line written before a run touches the guest. */
  public static final String STARTED = "started";

  private final DomainDirectory domains;
  private final AuditLog audit;
  private final ActionState state;
  private final Clock clock;
  private final Map<String, Integer> actionLimits;
  private final ActionMetrics metrics;
  private final boolean ownsAudit;
  private final ExecutorService workers;
  private final JobRunner runner;
  private final List<Consumer<ActionRecord>> listeners = new CopyOnWriteArrayList<>();

  private final Object lock = new Object();
  private final LinkedList<Job> queue = new LinkedList<>();
  private final Map<String, Job> runningByDomain = new HashMap<>();
  private final Map<String, Integer> runningByAction = new HashMap<>();
  private final Map<String, Integer> runningByLimit = new HashMap<>();
  private final LinkedHashMap<String, Job> jobs = new LinkedHashMap<>();
  private boolean closed;

  /**
   * @param actionLimits action name to the most runs of it at once on this host (policy_defaults
   *     max_concurrent); actions not listed are limited only per domain
   */
  public ActionExecutor(
      DomainDirectory domains,
      AuditLog audit,
      ActionState state,
      Clock clock,
      Map<String, Integer> actionLimits) {
    this(domains, audit, state, clock, actionLimits, false);
  }

  private ActionExecutor(
      DomainDirectory domains,
      AuditLog audit,
      ActionState state,
      Clock clock,
      Map<String, Integer> actionLimits,
      boolean ownsAudit) {
    this.domains = domains;
    this.audit = audit;
    this.state = state;
    this.clock = clock;
    this.runner = new JobRunner(domains, clock);
    this.actionLimits = Map.copyOf(actionLimits);
    actionLimits.forEach(
        (k, v) -> {
          if (v < 1) {
            throw new IllegalArgumentException(
                "max_concurrent for " + k + " must be at least 1, got " + v);
          }
        });
    this.metrics = new ActionMetrics(state, audit::writeFailures);
    this.ownsAudit = ownsAudit;
    AtomicInteger n = new AtomicInteger();
    this.workers =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "action-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Opens the audit log and state in {@code stateDir} (created if missing) and returns an executor
   * that closes the audit log when closed.
   */
  public static ActionExecutor open(
      Path stateDir, DomainDirectory domains, Clock clock, Map<String, Integer> actionLimits)
      throws IOException {
    ActionState state = ActionState.load(stateDir);
    AuditLog audit = AuditLog.open(stateDir.resolve(AuditLog.FILE));
    return new ActionExecutor(domains, audit, state, clock, actionLimits, true);
  }

  public ActionState state() {
    return state;
  }

  public AuditLog audit() {
    return audit;
  }

  /** The metrics of every run; register it in the daemon's registry. */
  public ActionMetrics metrics() {
    return metrics;
  }

  public Clock clock() {
    return clock;
  }

  /** Called with every finished record, after it was audited; must return quickly. */
  public void addListener(Consumer<ActionRecord> listener) {
    listeners.add(listener);
  }

  /**
   * Queues an action. Dry runs never wait and never touch the guest.
   *
   * @throws UnknownDomainException no such domain
   * @throws ActionBusyException the domain is busy and the request asked to fail fast
   * @throws DomainFrozenException the domain is frozen and the request asked to fail fast
   * @throws ActionRejectedException the executor is closed
   */
  public Job submit(ActionRequest request) {
    String domain = request.domain();
    DomainHandle handle =
        domains.find(domain).orElseThrow(() -> new UnknownDomainException(domain));
    Job job;
    synchronized (lock) {
      if (closed) {
        throw new ActionRejectedException(domain, "the exporter is stopping");
      }
      if (!request.dryRun() && request.whenBusy() == ActionRequest.WhenBusy.FAIL) {
        Job holder = runningByDomain.get(domain);
        if (holder == null) {
          holder =
              queue.stream()
                  .filter(j -> j.request().domain().equals(domain))
                  .findFirst()
                  .orElse(null);
        }
        if (holder != null) {
          throw new ActionBusyException(domain, holder.request().action().name(), holder.id());
        }
        DomainHandle.AgentState s = handle.state();
        if (request.action().blockedByFreeze() && s != null && s.frozen()) {
          throw new DomainFrozenException(domain, request.action().name());
        }
      }
      job = new Job(UUID.randomUUID().toString(), request, clock.instant());
      jobs.put(job.id(), job);
      trimJobsLocked();
      if (request.dryRun()) {
        job.state(Job.State.RUNNING);
        Job dry = job;
        workers.execute(
            () -> {
              ActionRecord record = runner.dryRunRecord(dry, handle);
              if (request.origin().countsAsPolicyRun()) {
                // a dry_run rule's run counts for its cooldown: not audited on every poll
                state.recordRun(request.origin().policy(), domain, record.startedAt());
                saveState();
              }
              finish(dry, record);
              dry.complete(record);
            });
        return job;
      }
      queue.add(job);
      dispatchLocked();
    }
    return job;
  }

  /** A job by id, while queued or running, and for the last {@value #KEEP_FINISHED} finished. */
  public Optional<Job> job(String id) {
    synchronized (lock) {
      return Optional.ofNullable(jobs.get(id));
    }
  }

  /** Jobs queued or running, oldest first. */
  public List<Job> active() {
    synchronized (lock) {
      List<Job> out = new ArrayList<>();
      for (Job j : jobs.values()) {
        if (j.state() != Job.State.DONE) {
          out.add(j);
        }
      }
      return out;
    }
  }

  /** How many runs of {@code action} are running now (for tests and status pages). */
  public int running(String action) {
    synchronized (lock) {
      return runningByAction.getOrDefault(action, 0);
    }
  }

  private void trimJobsLocked() {
    int finished = 0;
    for (Job j : jobs.values()) {
      if (j.state() == Job.State.DONE) {
        finished++;
      }
    }
    for (Iterator<Job> it = jobs.values().iterator(); it.hasNext() && finished > KEEP_FINISHED; ) {
      if (it.next().state() == Job.State.DONE) {
        it.remove();
        finished--;
      }
    }
  }

  private void dispatchLocked() {
    if (closed) {
      return;
    }
    // a domain whose first queued job cannot start keeps its later jobs queued too (FIFO)
    Set<String> seen = new HashSet<>();
    for (Iterator<Job> it = queue.iterator(); it.hasNext(); ) {
      Job j = it.next();
      String domain = j.request().domain();
      if (runningByDomain.containsKey(domain) || !seen.add(domain)) {
        continue;
      }
      String action = j.request().action().name();
      if (runningByAction.getOrDefault(action, 0)
          >= actionLimits.getOrDefault(action, Integer.MAX_VALUE)) {
        continue;
      }
      ActionRequest.Limit limit = j.request().limit();
      if (limit != null && runningByLimit.getOrDefault(limit.key(), 0) >= limit.max()) {
        continue;
      }
      it.remove();
      runningByDomain.put(domain, j);
      runningByAction.merge(action, 1, Integer::sum);
      if (limit != null) {
        runningByLimit.merge(limit.key(), 1, Integer::sum);
      }
      j.state(Job.State.RUNNING);
      workers.execute(() -> runJob(j));
    }
  }

  private void release(Job j) {
    synchronized (lock) {
      ActionRequest r = j.request();
      if (runningByDomain.get(r.domain()) == j) {
        runningByDomain.remove(r.domain());
        runningByAction.merge(r.action().name(), -1, Integer::sum);
        if (r.limit() != null) {
          runningByLimit.merge(r.limit().key(), -1, Integer::sum);
        }
      }
      dispatchLocked();
    }
  }

  private void runJob(Job job) {
    ActionRecord record;
    Instant started = clock.instant();
    try {
      Origin origin = job.request().origin();
      if (origin.countsAsPolicyRun()) {
        // saved before the action so a crash mid-run still counts for the cooldown
        state.recordRun(origin.policy(), job.request().domain(), started);
        saveState();
      }
      String unaudited = auditStart(job, started);
      record =
          unaudited != null && !job.request().action().runsWithoutAudit()
              ? runner.record(
                  job, started, Outcome.FAILED, null, "not run: " + unaudited, List.of())
              : runner.execute(job, started);
    } catch (RuntimeException | Error e) {
      record = runner.record(job, started, Outcome.FAILED, null, "internal error: " + e, List.of());
      LOG.log(Level.SEVERE, job + " failed unexpectedly", e);
    }
    try {
      finish(job, record);
    } finally {
      // the domain is free before anyone waiting on the job wakes up
      release(job);
      job.complete(record);
    }
  }

  /**
   * Writes the run's "started" record (result {@value #STARTED}) and forces it to disk before the
   * action touches the guest: an action that cannot be audited is not run.
   *
   * @return null when the record is on disk, else why not (also kept on the job)
   */
  private String auditStart(Job job, Instant started) {
    ObjectNode line =
        runner.record(job, started, Outcome.SUCCEEDED, null, null, List.of()).toJson();
    line.put("result", STARTED);
    line.remove(List.of("duration_seconds", "details", "error", "warnings"));
    try {
      audit.append(line);
      return null;
    } catch (IOException | RuntimeException e) {
      String why = "cannot write the audit log " + audit.file() + ": " + e.getMessage();
      boolean runs = job.request().action().runsWithoutAudit();
      job.auditFailed(
          why
              + (runs
                  ? "; "
                      + job.request().action().name()
                      + " ran all the same (a refusal would"
                      + " do more harm)"
                  : "; the action was not run"));
      LOG.log(Level.SEVERE, job + ": " + why);
      return why;
    }
  }

  private void finish(Job job, ActionRecord record) {
    try {
      audit.append(record);
    } catch (IOException | RuntimeException e) {
      // the run is not plain success to anyone: its job says the record is missing
      job.auditFailed(
          record.action()
              + " ended "
              + record.outcome().wire()
              + " but its audit record could"
              + " not be written to "
              + audit.file()
              + ": "
              + e.getMessage());
      LOG.log(
          Level.SEVERE, "cannot write the audit log " + audit.file() + ": " + e.getMessage(), e);
    }
    if (record.outcome() == Outcome.SUCCEEDED && !record.dryRun()) {
      state.recordSuccess(record.domain(), record.action(), record.timestamp());
      saveState();
    }
    for (String w : record.warnings()) {
      LOG.log(Level.WARNING, record.domain() + " " + record.action() + ": " + w);
    }
    if (record.outcome() == Outcome.FAILED) {
      LOG.log(
          Level.WARNING, record.domain() + " " + record.action() + " failed: " + record.error());
    }
    metrics.record(record);
    for (Consumer<ActionRecord> l : listeners) {
      try {
        l.accept(record);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "action listener failed", e);
      }
    }
  }

  private void saveState() {
    try {
      state.save();
    } catch (IOException e) {
      LOG.log(Level.SEVERE, "cannot save the action state: " + e.getMessage(), e);
    }
  }

  /**
   * Stops: queued jobs end as skipped (audited), running ones get {@link #CLOSE_GRACE} to finish.
   * Their domains' agents are not interrupted mid-command.
   */
  @Override
  public void close() {
    List<Job> dropped;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      dropped = new ArrayList<>(queue);
      queue.clear();
    }
    for (Job j : dropped) {
      ActionRecord record =
          runner.record(
              j,
              clock.instant(),
              Outcome.SKIPPED,
              null,
              "the exporter stopped before the action started",
              List.of());
      finish(j, record);
      j.complete(record);
    }
    workers.shutdown();
    try {
      if (!workers.awaitTermination(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.log(Level.WARNING, "actions still running at stop: " + active());
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      workers.shutdownNow();
    }
    if (ownsAudit) {
      audit.close();
    }
  }
}
