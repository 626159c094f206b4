package io.qga.exporter.action;

import io.qga.exporter.config.Durations;
import io.qga.exporter.runtime.Timers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the exporter's promise to thaw every guest it froze.
 *
 * <ul>
 *   <li>A freeze first records "frozen by us until T" ({@link #promise}) in {@code
 *       state_dir/fsfreeze.json}, written atomically and durably, then freezes. When the record
 *       cannot be written (full or read-only {@code state_dir}, EIO) the freeze is refused.
 *   <li>At T (up to {@link #EARLY} before it, so the guest is thawed by T) a thaw runs through the
 *       executor like any action: audited under the token that froze, trigger {@code deadline},
 *       queued behind whatever holds the domain.
 *   <li>At start, every domain still on record is checked with {@code guest-fsfreeze-status} and
 *       thawed at once: after a restart nobody can tell whether the freeze is still wanted, and a
 *       guest frozen longer than asked is the greater harm.
 *   <li>A thaw that cannot run (agent down, domain not discovered yet) is retried, first after
 *       {@link #RETRY}, then at doubling intervals up to {@link #RETRY_MAX}, and at once when the
 *       domain's agent comes up ({@link #retryNow}), until it works or {@link #GIVE_UP} after the
 *       deadline. One log line per change of the reason, not one per attempt.
 *   <li>One bad entry in {@code fsfreeze.json} does not cost the others: it is skipped with an
 *       error naming it (the file is copied to {@code fsfreeze.json.corrupt} first), the valid
 *       promises are kept and enforced.
 *   <li>Deadlines and retries are one-shot timers on the daemon's {@link Timers} (Quartz): one
 *       whose time passed while nothing could fire (host suspended) fires as soon as it can, never
 *       skipped; its task only queues the thaw on the executor.
 * </ul>
 */
public final class FreezeGuard implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(FreezeGuard.class.getName());
  public static final String FILE = "fsfreeze.json";
  static final Duration EARLY = Duration.ofSeconds(1);
  public static final Duration RETRY = Duration.ofSeconds(10);
  static final Duration GIVE_UP = Duration.ofHours(24);
  static final Duration RETRY_MAX = Duration.ofMinutes(10);

  /** The latest deadline read from the file (later ones are clamped to it). */
  static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  private static final String GROUP = "fsfreeze";

  /** A promise: {@code domain} thawed by {@code until}; {@code token} asked for the freeze. */
  public record Promise(String domain, Instant until, String token, Instant since) {}

  private final Path file;
  private final ActionExecutor executor;
  private final Clock clock;
  private volatile Duration retry;
  private final Timers timer;
  private final boolean ownTimer;
  private final Map<String, Promise> promises = new TreeMap<>();
  private final Map<String, Timers.Timer> timers = new TreeMap<>();

  /** A thaw that failed: how often in a row for this promise, and the reason last logged. */
  private record Retrying(Promise promise, int failures, String why, String trigger) {}

  private final Map<String, Retrying> retrying = new TreeMap<>();
  private boolean closed;

  /** The last rewrite of the file failed; a retry is scheduled (guarded by this). */
  private boolean saveFailing;

  private Timers.Timer saveRetry;

  public FreezeGuard(Path stateDir, ActionExecutor executor, Clock clock) {
    this(stateDir, executor, clock, RETRY);
  }

  public FreezeGuard(Path stateDir, ActionExecutor executor, Clock clock, Duration retry) {
    this(stateDir, executor, clock, retry, null);
  }

  /**
   * @param timers the daemon's scheduler; null: the guard starts its own, stopped with it
   */
  public FreezeGuard(
      Path stateDir, ActionExecutor executor, Clock clock, Duration retry, Timers timers) {
    this.file = stateDir == null ? null : stateDir.resolve(FILE);
    this.executor = executor;
    this.clock = clock;
    this.retry = retry;
    this.ownTimer = timers == null;
    this.timer = timers == null ? Timers.start("fsfreeze") : timers;
  }

  /**
   * Loads the promises of the previous run and thaws each of those guests now (checking the freeze
   * state first). An unreadable file is moved aside with a warning.
   */
  public void start() throws IOException {
    if (file == null) {
      return;
    }
    Files.createDirectories(file.getParent());
    if (!Files.exists(file)) {
      return;
    }
    Map<String, Promise> loaded = FreezePromises.load(file);
    synchronized (this) {
      promises.putAll(loaded);
      for (Promise p : promises.values()) {
        LOG.log(
            Level.WARNING,
            p.domain()
                + " was frozen by api:"
                + p.token()
                + " until "
                + p.until()
                + " when the exporter stopped: checking and thawing it now");
        scheduleLocked(p, Duration.ZERO, "restart");
      }
    }
  }

  /** Tests shorten the retry interval. */
  public void retryEvery(Duration retry) {
    this.retry = retry;
  }

  /**
   * Records that {@code domain} will be thawed by {@code until} and schedules the thaw. The record
   * is durable in {@code state_dir/fsfreeze.json} (temp file, fsync, rename, fsync of the
   * directory) when this returns: only then may the freeze be sent.
   *
   * @return true when there was no promise for the domain before
   * @throws PromiseException when the file cannot be written; nothing changed (an earlier promise
   *     for the domain stands, with its timer)
   */
  public synchronized boolean promise(String domain, Instant until, String token) {
    Promise old = promises.put(domain, new Promise(domain, until, token, clock.instant()));
    try {
      saveOrThrow();
    } catch (IOException e) {
      if (old == null) {
        promises.remove(domain);
      } else {
        promises.put(domain, old);
      }
      throw new PromiseException(file, e);
    }
    Duration delay = Duration.between(clock.instant(), until.minus(EARLY));
    scheduleLocked(promises.get(domain), delay, "deadline");
    return old == null;
  }

  /**
   * Checks that a promise could be recorded now, by rewriting {@code fsfreeze.json} as it is: the
   * API refuses a freeze at once (503) when {@code state_dir} is full or read-only.
   *
   * @throws PromiseException when it cannot
   */
  public synchronized void checkWritable() {
    try {
      saveOrThrow();
    } catch (IOException e) {
      throw new PromiseException(file, e);
    }
  }

  /** The thaw promise could not be made durable: the freeze must not be sent. */
  public static final class PromiseException extends RuntimeException {
    PromiseException(Path file, IOException cause) {
      super(
          "cannot record the thaw promise in "
              + file
              + ": "
              + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage())
              + "; nothing was frozen",
          cause);
    }
  }

  /**
   * The guest is thawed (or was never frozen): forgets the promise. With {@code until}, only the
   * promise with that deadline (a newer freeze keeps its own). When the file cannot be rewritten
   * the promise stays on disk (a restart checks the guest and finds it thawed: harmless) and the
   * write is retried every {@link #RETRY} until it works.
   */
  synchronized void release(String domain, Instant until) {
    Promise p = promises.get(domain);
    if (p == null || (until != null && !p.until().equals(until))) {
      return;
    }
    promises.remove(domain);
    Timers.Timer t = timers.remove(domain);
    if (t != null) {
      t.cancel();
    }
    save();
  }

  /** The promise for {@code domain}, if it is frozen by us. */
  public synchronized Optional<Promise> promised(String domain) {
    return Optional.ofNullable(promises.get(domain));
  }

  private void scheduleLocked(Promise p, Duration delay, String trigger) {
    if (closed) {
      return;
    }
    Timers.Timer old = timers.remove(p.domain());
    if (old != null) {
      old.cancel();
    }
    timers.put(p.domain(), timer.once(GROUP, delay, () -> thaw(p, trigger)));
  }

  private void thaw(Promise p, String trigger) {
    synchronized (this) {
      if (closed || promises.get(p.domain()) != p) {
        return; // thawed meanwhile, or a newer freeze has its own timer
      }
    }
    ActionRequest request =
        ActionRequest.of(p.domain(), new Thaw(true, this), new Origin(null, p.token(), trigger))
            .withReason(
                trigger.equals("restart")
                    ? "frozen until " + p.until() + " when the exporter stopped"
                    : "fsfreeze deadline " + p.until());
    try {
      Job job = executor.submit(request);
      job.result()
          .whenComplete(
              (record, error) -> {
                if (record == null || record.outcome() != Outcome.SUCCEEDED) {
                  retryLater(p, trigger, record == null ? String.valueOf(error) : record.error());
                }
              });
    } catch (UnknownDomainException e) {
      retryLater(p, trigger, "domain not discovered");
    } catch (ActionRejectedException e) {
      retryLater(p, trigger, e.getMessage());
    }
  }

  private synchronized void retryLater(Promise p, String trigger, String why) {
    retrying.keySet().removeIf(d -> !promises.containsKey(d));
    if (closed || promises.get(p.domain()) != p) {
      return;
    }
    if (clock.instant().isAfter(p.until().plus(GIVE_UP))) {
      LOG.log(
          Level.SEVERE,
          "giving up thawing "
              + p.domain()
              + " (frozen until "
              + p.until()
              + "): "
              + why
              + "; check it by hand");
      retrying.remove(p.domain());
      release(p.domain(), p.until());
      return;
    }
    Retrying before = retrying.get(p.domain());
    int failures = before == null || before.promise() != p ? 1 : before.failures() + 1;
    Duration delay = backoff(failures);
    retrying.put(p.domain(), new Retrying(p, failures, why, trigger));
    if (failures == 1 || !before.why().equals(why)) {
      LOG.log(
          Level.WARNING,
          "cannot thaw "
              + p.domain()
              + " yet ("
              + why
              + "); retrying in "
              + delay
              + ", then less and less often (up to every "
              + Durations.format(RETRY_MAX)
              + ") and at once when its agent comes up");
    }
    scheduleLocked(p, delay, trigger);
  }

  /** The wait before retry number {@code failures}: the retry interval, doubling, capped. */
  private Duration backoff(int failures) {
    Duration max = retry.compareTo(RETRY_MAX) > 0 ? retry : RETRY_MAX;
    Duration d = retry;
    for (int i = 1; i < failures && d.compareTo(max) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(max) > 0 ? max : d;
  }

  /**
   * The agent of {@code domain} came up (discovered again, or back from down): a thaw waiting out
   * its backoff runs now.
   */
  public synchronized void retryNow(String domain) {
    Retrying r = retrying.get(domain);
    if (r != null && promises.get(domain) == r.promise()) {
      LOG.log(Level.INFO, domain + " is answering again: thawing it now");
      scheduleLocked(r.promise(), Duration.ZERO, r.trigger());
    }
  }

  /** Rewrites the file; on failure logs once and retries until it works (see {@link #release}). */
  private void save() {
    try {
      saveOrThrow();
    } catch (IOException e) {
      if (!saveFailing) {
        saveFailing = true;
        LOG.log(
            Level.SEVERE,
            "cannot write "
                + file
                + " ("
                + e.getMessage()
                + "): it still lists guests already"
                + " thawed; retrying every "
                + retry);
      }
      if (!closed && saveRetry == null) {
        saveRetry =
            timer.once(
                GROUP,
                retry,
                () -> {
                  synchronized (this) {
                    saveRetry = null; // a failing save() below schedules the next try
                    if (saveFailing) {
                      save();
                    }
                  }
                });
      }
    }
  }

  private void saveOrThrow() throws IOException {
    if (file == null) {
      return;
    }
    FreezePromises.write(file, promises.values());
    if (saveFailing) {
      saveFailing = false;
      LOG.log(Level.INFO, file + " written again");
    }
  }

  /**
   * Thaws every guest still frozen by us, waiting up to {@code max} in all (a clean stop). Those
   * not thawed in time stay on record for the next start.
   */
  public void thawAllNow(Duration max) {
    List<Promise> open;
    synchronized (this) {
      open = new ArrayList<>(promises.values());
    }
    List<CompletableFuture<?>> waits = new ArrayList<>();
    for (Promise p : open) {
      try {
        Job job =
            executor.submit(
                ActionRequest.of(
                        p.domain(), new Thaw(true, this), new Origin(null, p.token(), "stop"))
                    .withReason("the exporter is stopping; frozen until " + p.until()));
        waits.add(job.result());
      } catch (ActionRejectedException e) {
        LOG.log(
            Level.WARNING,
            "cannot thaw " + p.domain() + " at stop (" + e.getMessage() + "); the next start will");
      }
    }
    try {
      CompletableFuture.allOf(waits.toArray(new CompletableFuture<?>[0]))
          .get(max.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.log(Level.WARNING, "not every frozen guest thawed at stop; the next start will");
    }
  }

  /** Stops the timers. Promises stay on disk: the next start thaws those guests. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      timers.values().forEach(Timers.Timer::cancel);
      timers.clear();
      if (saveRetry != null) {
        saveRetry.cancel();
      }
    }
    if (ownTimer) {
      timer.close();
    }
  }
}
