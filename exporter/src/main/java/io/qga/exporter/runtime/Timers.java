package io.qga.exporter.runtime;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TimeZone;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;

/**
 * The daemon's one scheduler for everything timed or periodic: the poll ticks and agent probes, the
 * policies' cron schedules and jittered runs, the discovery refresh, the fsfreeze deadlines. One
 * Quartz scheduler (RAM job store) behind four kinds of timer ({@link #once}, {@link #every},
 * {@link #cron}); callers see no Quartz type.
 *
 * <p>Contract for every task: it runs on one of Quartz's few threads and must only hand work to an
 * executor (a domain's poll queue, the policy engine's thread, the action executor, the discovery
 * thread). It never waits on a guest: a task that blocked would hold a Quartz thread, and with
 * every thread held no trigger fires, thaw deadlines included. A task that throws is logged; its
 * timer goes on.
 *
 * <p>Times are the system clock's (Quartz reads {@link System#currentTimeMillis}): after a host
 * suspend or a clock step forward, a trigger whose time passed more than {@link #MISFIRE} ago is a
 * misfire and is handled per kind (see each method). A step back would hold every trigger back by
 * as much (Quartz computes each next fire time from the last): a watch thread compares the wall
 * clock with the monotonic one every second and moves every trigger back by the step ({@link
 * #clockWentBack}), so a thaw deadline stays on time.
 */
public final class Timers implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Timers.class.getName());
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final String TASK = "task";

  /** A trigger later than this is a misfire (Quartz's misfire threshold). */
  public static final Duration MISFIRE = Duration.ofSeconds(1);

  /**
   * Quartz threads. Tasks only hand work on, so two would keep up with thousands of triggers; the
   * spare ones keep deadlines on time while a task waits briefly for a lock around a state file
   * write (the fsfreeze promise is written under the guard's lock).
   */
  static final int THREADS = 4;

  /** A scheduled timer; {@link #cancel} is safe at any time, also after it fired. */
  public interface Timer {
    /** Removes the timer; a run already started finishes. */
    void cancel();

    /** When it fires next; empty when it is done or cancelled. */
    Optional<Instant> nextFire();
  }

  private static final Timer DONE =
      new Timer() {
        @Override
        public void cancel() {}

        @Override
        public Optional<Instant> nextFire() {
          return Optional.empty();
        }
      };

  private final Scheduler scheduler;
  private final AtomicLong ids = new AtomicLong();

  /** Not a scheduler of work: it only notices the wall clock going back (see the class doc). */
  private final ScheduledExecutorService clockWatch;

  private long lastWall = System.currentTimeMillis();
  private long lastMono = System.nanoTime();

  private Timers(Scheduler scheduler, String name) {
    this.scheduler = scheduler;
    this.clockWatch =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "qga-" + name + "-clock-watch");
              t.setDaemon(true);
              return t;
            });
    clockWatch.scheduleWithFixedDelay(this::watchClock, 1, 1, TimeUnit.SECONDS);
  }

  private void watchClock() {
    long wall = System.currentTimeMillis();
    long mono = System.nanoTime();
    long back = backwardStep(wall - lastWall, (mono - lastMono) / 1_000_000);
    lastWall = wall;
    lastMono = mono;
    if (back > 0) {
      clockWentBack(Duration.ofMillis(back));
    }
  }

  /**
   * How far the wall clock went back while {@code monoMillis} passed and it advanced {@code
   * wallMillis}; 0 for less than {@link #MISFIRE} (jitter, slewing).
   */
  static long backwardStep(long wallMillis, long monoMillis) {
    long back = monoMillis - wallMillis;
    return back > MISFIRE.toMillis() ? back : 0;
  }

  /**
   * The wall clock went back by {@code step}: moves every trigger's next fire back as much (not
   * before now); a cron trigger starts afresh from now, as its expression says.
   */
  void clockWentBack(Duration step) {
    LOG.warning(
        () ->
            "the system clock went back by "
                + step.toMillis()
                + " ms: moving every timer back as much");
    try {
      long now = System.currentTimeMillis();
      for (TriggerKey key : scheduler.getTriggerKeys(GroupMatcher.anyTriggerGroup())) {
        Trigger t = scheduler.getTrigger(key);
        if (t == null || t.getNextFireTime() == null) {
          continue;
        }
        long start =
            t instanceof CronTrigger
                ? now
                : Math.max(now, t.getNextFireTime().getTime() - step.toMillis());
        scheduler.rescheduleJob(key, t.getTriggerBuilder().startAt(new Date(start)).build());
      }
    } catch (SchedulerException | RuntimeException e) {
      LOG.log(Level.WARNING, "cannot move the timers after the clock went back", e);
    }
  }

  /**
   * Creates and starts a scheduler.
   *
   * @param name for the Quartz threads' names and log lines
   */
  public static Timers start(String name) {
    Timers t = create(name);
    t.resume();
    return t;
  }

  /** Creates a scheduler that fires nothing until {@link #resume} (tests: a stalled host). */
  public static Timers create(String name) {
    Properties p = new Properties();
    p.setProperty(
        "org.quartz.scheduler.instanceName", "qga-" + name + "-" + INSTANCES.incrementAndGet());
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(THREADS));
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    p.setProperty("org.quartz.jobStore.misfireThreshold", String.valueOf(MISFIRE.toMillis()));
    try {
      Scheduler s = new StdSchedulerFactory(p).getScheduler();
      s.setJobFactory(
          (bundle, sched) -> {
            @SuppressWarnings("unchecked")
            Consumer<Instant> task =
                (Consumer<Instant>) bundle.getJobDetail().getJobDataMap().get(TASK);
            String what = bundle.getJobDetail().getKey().toString();
            return context -> run(what, task, context.getScheduledFireTime());
          });
      return new Timers(s, name);
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot create the Quartz scheduler: " + e.getMessage(), e);
    }
  }

  /** Starts firing (again); triggers whose time passed meanwhile are misfires. */
  public void resume() {
    try {
      scheduler.start();
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot start the Quartz scheduler: " + e.getMessage(), e);
    }
  }

  private static void run(String what, Consumer<Instant> task, Date scheduledFire) {
    try {
      task.accept(scheduledFire == null ? Instant.now() : scheduledFire.toInstant());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "timer " + what + " failed", e);
    }
  }

  /**
   * Runs {@code task} once, {@code delay} from now (at once when not positive). Never skipped: if
   * its time passed while the scheduler could not fire (host suspended, paused), it fires as soon
   * as it can (Quartz's "fire now" misfire instruction, set explicitly: "next with remaining
   * count", right for {@link #every}, would drop a one-shot trigger whose time passed).
   */
  public Timer once(String group, Duration delay, Runnable task) {
    Instant at = Instant.now().plus(delay.isNegative() ? Duration.ZERO : delay);
    return schedule(
        group,
        t -> task.run(),
        List.of(
            TriggerBuilder.newTrigger()
                .startAt(Date.from(at))
                .withSchedule(
                    SimpleScheduleBuilder.simpleSchedule()
                        .withMisfireHandlingInstructionFireNow())));
  }

  /**
   * Runs {@code task} every {@code period} from {@code first} with the scheduled fire time. After a
   * stall the missed runs are skipped, not burst: the next one is on the period's grid.
   */
  public Timer every(String group, Instant first, Duration period, Consumer<Instant> task) {
    return schedule(
        group,
        task,
        List.of(
            TriggerBuilder.newTrigger()
                .startAt(Date.from(first))
                .withSchedule(
                    SimpleScheduleBuilder.simpleSchedule()
                        .withIntervalInMilliseconds(Math.max(1, period.toMillis()))
                        .repeatForever()
                        .withMisfireHandlingInstructionNextWithRemainingCount())));
  }

  /**
   * Runs {@code task} at the fire times of each Quartz cron expression, in {@code zone}: one job,
   * one cron trigger per expression (a crontab line whose day-of-month and day-of-week are both
   * restricted is two expressions; a time both match fires twice, once per trigger, with the same
   * scheduled time: the caller merges). After a stall, a schedule whose time passed fires once at
   * once (not once per missed time), with the current time as its scheduled time.
   *
   * @throws IllegalArgumentException an expression does not parse
   */
  public Timer cron(String group, List<String> expressions, ZoneId zone, Consumer<Instant> task) {
    List<TriggerBuilder<? extends Trigger>> triggers = new ArrayList<>();
    for (String e : expressions) {
      try {
        CronExpression.validateExpression(e);
      } catch (ParseException ex) {
        throw new IllegalArgumentException("\"" + e + "\": " + ex.getMessage(), ex);
      }
      triggers.add(
          TriggerBuilder.newTrigger()
              .withSchedule(
                  CronScheduleBuilder.cronSchedule(e)
                      .inTimeZone(TimeZone.getTimeZone(zone))
                      .withMisfireHandlingInstructionFireAndProceed()));
    }
    return schedule(group, task, triggers);
  }

  private Timer schedule(
      String group, Consumer<Instant> task, List<TriggerBuilder<? extends Trigger>> triggers) {
    if (isClosed()) {
      return DONE; // stopping: nothing fires any more
    }
    JobKey key = JobKey.jobKey(String.valueOf(ids.incrementAndGet()), group);
    JobDetail job =
        JobBuilder.newJob()
            .ofType(org.quartz.Job.class)
            .withIdentity(key)
            .usingJobData(new JobDataMap(java.util.Map.of(TASK, task)))
            .build();
    Set<Trigger> keyed = new HashSet<>();
    for (TriggerBuilder<? extends Trigger> t : triggers) {
      keyed.add(t.withIdentity(key.getName() + "/" + keyed.size(), group).forJob(key).build());
    }
    try {
      scheduler.scheduleJob(job, keyed, false);
    } catch (SchedulerException e) {
      if (isClosed()) {
        return DONE;
      }
      throw new IllegalStateException(
          "cannot schedule a timer in " + group + ": " + e.getMessage(), e);
    }
    return new QuartzTimer(key);
  }

  private final class QuartzTimer implements Timer {
    private final JobKey key;

    QuartzTimer(JobKey key) {
      this.key = key;
    }

    @Override
    public void cancel() {
      try {
        scheduler.deleteJob(key);
      } catch (SchedulerException e) {
        LOG.log(Level.FINE, "cannot cancel timer " + key, e);
      }
    }

    @Override
    public Optional<Instant> nextFire() {
      try {
        Date best = null;
        for (Trigger t : scheduler.getTriggersOfJob(key)) {
          Date next = t.getNextFireTime();
          if (next != null && (best == null || next.before(best))) {
            best = next;
          }
        }
        return Optional.ofNullable(best).map(Date::toInstant);
      } catch (SchedulerException e) {
        return Optional.empty();
      }
    }
  }

  /** Cancels every timer of {@code group}. */
  public void cancelGroup(String group) {
    try {
      scheduler.deleteJobs(
          new ArrayList<>(scheduler.getJobKeys(GroupMatcher.jobGroupEquals(group))));
    } catch (SchedulerException e) {
      LOG.log(Level.WARNING, "cannot cancel the timers of " + group, e);
    }
  }

  private boolean isClosed() {
    try {
      return scheduler.isShutdown();
    } catch (SchedulerException e) {
      return true;
    }
  }

  /** Timers scheduled and not yet done, in all groups (tests). */
  public int size() {
    try {
      return scheduler.getJobKeys(GroupMatcher.anyJobGroup()).size();
    } catch (SchedulerException e) {
      return -1;
    }
  }

  /**
   * Stops the scheduler without waiting for running tasks: they only hand work on and end by
   * themselves, and waiting ({@code shutdown(true)}) was seen to hang once in {@code
   * SimpleThreadPool.shutdown} with no worker left.
   */
  @Override
  public void close() {
    clockWatch.shutdownNow();
    try {
      scheduler.shutdown(false);
    } catch (SchedulerException e) {
      LOG.log(Level.WARNING, "stopping the Quartz scheduler failed", e);
    }
  }
}
