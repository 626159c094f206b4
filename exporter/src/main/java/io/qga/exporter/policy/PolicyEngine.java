package io.qga.exporter.policy;

import io.qga.collectors.DomainSamples;
import io.qga.exporter.action.Action;
import io.qga.exporter.action.ActionExecutor;
import io.qga.exporter.action.ActionRecord;
import io.qga.exporter.action.ActionRejectedException;
import io.qga.exporter.action.ActionRequest;
import io.qga.exporter.action.Job;
import io.qga.exporter.action.Origin;
import io.qga.exporter.action.Outcome;
import io.qga.exporter.config.Policy;
import io.qga.exporter.config.PolicyDefaults;
import io.qga.exporter.runtime.DomainDirectory;
import io.qga.exporter.runtime.DomainHandle;
import io.qga.exporter.runtime.DomainListener;
import io.qga.exporter.runtime.Timers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns the {@code policies} of the config into actions on domains.
 *
 * <ul>
 *   <li>Scheduled rules: a {@link io.qga.exporter.config.Schedule} (Quartz, crontab or @daily...)
 *       in the rule's zone; when it fires, each matching domain is evaluated after its own jitter
 *       delay ({@link Rules#jitterDelay}). Each schedule is a Quartz cron trigger on the daemon's
 *       {@link Timers} (two for a crontab line that restricts both day fields: their common fire
 *       times fire once); jitter delays and frozen retries are one-shot timers there. Quartz
 *       threads only hand the work to the engine's thread.
 *   <li>Condition rules ({@code when} without {@code schedule}): evaluated when the poller delivers
 *       fresh samples ({@link DomainListener#onCollected}) or the agent comes up ({@link
 *       DomainListener#onAgentUp}), on the engine's own thread: the poller never waits.
 *   <li>Decisions are pure ({@link Rules#evaluate}); runs go through the shared {@link
 *       ActionExecutor} with the rule's {@code max_concurrent} as a limit, {@code dry_run} as a dry
 *       run, and the decision's reason in the audit log.
 *   <li>At most one run of a rule per domain is queued or running at a time.
 *   <li>A scheduled run that finds the domain frozen is retried every {@link #FROZEN_RETRY} for up
 *       to {@link #FROZEN_RETRY_FOR}; a condition rule simply runs at a later poll.
 * </ul>
 *
 * <p>Over the ~450-line guide on purpose: the decision of one rule on one domain (match, window,
 * cooldown, concurrency, jitter, frozen retry) is read best in one place; its thread and timers are
 * in {@link EngineThread}, the polled facts in {@link PolledFacts}, the triggers in {@link
 * PolicySchedules}.
 */
public final class PolicyEngine implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PolicyEngine.class.getName());
  static final Duration FROZEN_RETRY = Duration.ofMinutes(1);
  static final Duration FROZEN_RETRY_FOR = Duration.ofHours(1);

  /** Rules without data conditions are evaluated at most this often per domain on polls. */
  static final Duration IDLE_EVALUATION = Duration.ofMinutes(1);

  /** Evaluation tasks beyond this are dropped (the poller must never be slowed down). */
  static final int MAX_PENDING = 100_000;

  private final DomainDirectory domains;
  private final ActionExecutor executor;
  private final Clock clock;
  private final EngineThread worker;
  private final PolicySchedules schedules;
  private volatile Rulebook rulebook;
  private final PolledFacts polled = new PolledFacts();
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean started;

  /** The rules in force, replaced whole on reload. */
  private record Rulebook(Map<String, Policy> byName, PolicyDefaults defaults) {
    /** Some rule is decided on polled data (not only on a schedule). */
    boolean onPolls() {
      return byName.values().stream().anyMatch(r -> r.schedule().isEmpty() && r.when().isPresent());
    }
  }

  public PolicyEngine(
      List<Policy> policies,
      PolicyDefaults defaults,
      DomainDirectory domains,
      ActionExecutor executor) {
    this(policies, defaults, domains, executor, null);
  }

  /**
   * @param timers the daemon's scheduler; null: the engine starts its own, stopped with it
   */
  public PolicyEngine(
      List<Policy> policies,
      PolicyDefaults defaults,
      DomainDirectory domains,
      ActionExecutor executor,
      Timers timers) {
    this.domains = domains;
    this.executor = executor;
    this.clock = executor.clock();
    this.rulebook = rulebook(policies, defaults);
    this.worker = new EngineThread(timers);
    this.schedules =
        new PolicySchedules(
            worker.timers(),
            (policy, firedAt) -> schedule(() -> onSchedule(policy, firedAt), Duration.ZERO));
  }

  /**
   * The executor's global limits derived from {@code policy_defaults}: at most {@code
   * max_concurrent} fstrims and time syncs at once on this host, whatever asked for them.
   */
  public static Map<String, Integer> actionLimits(PolicyDefaults defaults) {
    return Map.of("fstrim", defaults.maxConcurrent(), "time_sync", defaults.maxConcurrent());
  }

  private static Rulebook rulebook(List<Policy> policies, PolicyDefaults defaults) {
    Map<String, Policy> byName = new LinkedHashMap<>();
    for (Policy p : policies) {
      byName.put(p.name(), p);
    }
    return new Rulebook(Map.copyOf(byName), defaults);
  }

  /** Listens to the domain directory, starts the schedule and exports next-run times. */
  public void start() {
    if (started) {
      return;
    }
    started = true;
    domains.addListener(new Listener());
    executor.addListener(this::onRecord);
    executor.metrics().nextRuns(this::nextRuns);
    executor.metrics().expectedRuns(this::expectedRuns);
    Rulebook book = rulebook;
    schedules.apply(book.byName().values(), book.defaults());
  }

  /**
   * Replaces the rules (config reload). Runs in flight finish under the old rules. The triggers of
   * removed policies go, those of added ones start, those whose schedule or zone changed are
   * replaced; unchanged ones keep running.
   */
  public void update(List<Policy> policies, PolicyDefaults defaults) {
    Rulebook book = rulebook(policies, defaults);
    rulebook = book;
    if (started) {
      schedules.apply(book.byName().values(), book.defaults());
    }
  }

  public ActionExecutor executor() {
    return executor;
  }

  /** Every policy with its next scheduled run, in config order. */
  public List<PolicyStatus> policies() {
    Map<String, Instant> next = nextRuns();
    List<PolicyStatus> out = new ArrayList<>();
    List<Policy> ordered = new ArrayList<>(rulebook.byName().values());
    ordered.sort(java.util.Comparator.comparing(Policy::name));
    for (Policy p : ordered) {
      out.add(new PolicyStatus(p, next.get(p.name())));
    }
    return out;
  }

  /**
   * The {@code qga_action_runs_total} series that start at 0 (domain, action, policy, result): each
   * policy in force on each known domain its {@code match.domains} names, with the results a run of
   * it can have, so the first failure is an increase and not a new series. Follows reloads, as the
   * rulebook does.
   */
  public List<List<String>> expectedRuns() {
    Rulebook book = rulebook;
    List<List<String>> out = new ArrayList<>();
    for (DomainHandle d : domains.all()) {
      for (Policy p : book.byName().values()) {
        if (p.match().matchesDomain(d.name())) {
          List<Outcome> results =
              p.dryRun()
                  ? List.of(Outcome.DRY_RUN, Outcome.SKIPPED)
                  : List.of(Outcome.SUCCEEDED, Outcome.FAILED, Outcome.SKIPPED);
          for (Outcome o : results) {
            out.add(List.of(d.name(), p.action().name(), p.name(), o.wire()));
          }
        }
      }
    }
    return out;
  }

  /** Policy name to the next time its schedule fires (scheduled policies only). */
  public Map<String, Instant> nextRuns() {
    Map<String, Instant> out = new TreeMap<>();
    Rulebook book = rulebook;
    Instant now = clock.instant();
    for (Policy p : book.byName().values()) {
      if (p.schedule().isPresent()) {
        Instant next = schedules.next(p.name()).orElse(null);
        if (next == null) {
          next = Rules.nextFire(p.schedule().get(), p.zone(book.defaults()), now).orElse(null);
        }
        if (next != null) {
          out.put(p.name(), next);
        }
      }
    }
    return out;
  }

  /**
   * What the policy would do to every known domain if its trigger fired now, and why, without doing
   * it. Every domain it would act on is audited as a dry run (trigger {@code preview}, which does
   * not count for cooldowns).
   *
   * @throws UnknownPolicyException no such policy
   */
  public Plan dryRun(String policyName) {
    return plan(policyName, Trigger.PREVIEW, true);
  }

  /**
   * Runs the policy now on every matching domain whose conditions hold, ignoring its schedule,
   * cooldown and windows (match, conditions and freeze still apply). With {@code dryRun} it is
   * {@link #dryRun}. Runs are queued on the executor; the plan lists their job ids.
   *
   * @throws UnknownPolicyException no such policy
   */
  public Plan runNow(String policyName, boolean dryRun) {
    return dryRun ? dryRun(policyName) : plan(policyName, Trigger.MANUAL, false);
  }

  private Plan plan(String policyName, Trigger trigger, boolean forceDry) {
    Rulebook book = rulebook;
    Policy rule = book.byName().get(policyName);
    if (rule == null) {
      throw new UnknownPolicyException(policyName);
    }
    Action action = Rules.actionFor(rule.action());
    boolean dry = forceDry || rule.dryRun();
    List<Plan.Step> steps = new ArrayList<>();
    Instant now = clock.instant();
    for (DomainHandle handle : domains.all()) {
      if (!rule.match().matchesDomain(handle.name())) {
        continue;
      }
      Decision d = decide(book, rule, handle, now, trigger);
      String job = null;
      if (d.run()) {
        job = submit(book, rule, handle.name(), trigger, d, dry).map(Job::id).orElse(null);
        if (job == null) {
          d =
              Decision.skip(
                  d.reason()
                      + "; but a run of this policy is already queued or the domain refused it");
        }
      }
      steps.add(new Plan.Step(handle.name(), d, job));
    }
    return new Plan(rule.name(), action.name(), action.arguments(), dry, steps);
  }

  private Decision decide(
      Rulebook book, Policy rule, DomainHandle handle, Instant now, Trigger trigger) {
    DomainFacts facts = DomainFacts.of(handle, polled.lastOffset(handle.name()));
    return decide(book, rule, facts, now, trigger);
  }

  private Decision decide(
      Rulebook book, Policy rule, DomainFacts facts, Instant now, Trigger trigger) {
    Action action = Rules.actionFor(rule.action());
    History history = History.of(executor.state(), rule.name(), facts.domain(), action.name());
    return Rules.evaluate(rule, book.defaults(), facts, history, now, trigger);
  }

  private Optional<Job> submit(
      Rulebook book, Policy rule, String domain, Trigger trigger, Decision decision, boolean dry) {
    // a preview never waits for nor blocks real runs
    String key = trigger == Trigger.PREVIEW ? null : rule.name() + "\u0000" + domain;
    if (key != null && !inFlight.add(key)) {
      return Optional.empty();
    }
    ActionRequest request =
        ActionRequest.of(
                domain, Rules.actionFor(rule.action()), Origin.policy(rule.name(), trigger.wire()))
            .withDryRun(dry)
            .withReason(decision.reason())
            .withLimit(
                new ActionRequest.Limit(
                    "policy:" + rule.name(), rule.maxConcurrent(book.defaults())));
    Job job;
    try {
      job = executor.submit(request);
    } catch (ActionRejectedException e) {
      if (key != null) {
        inFlight.remove(key);
      }
      LOG.log(Level.INFO, "policy " + rule.name() + " on " + domain + ": " + e.getMessage());
      return Optional.empty();
    }
    job.result()
        .whenComplete(
            (record, error) -> {
              if (key != null) {
                inFlight.remove(key);
              }
              if (record != null
                  && trigger == Trigger.SCHEDULE
                  && record.outcome() == Outcome.SKIPPED
                  && record.error() != null
                  && record.error().startsWith("filesystems are frozen")) {
                retryWhenThawed(rule.name(), domain, record.startedAt());
              }
            });
    return Optional.of(job);
  }

  private void retryWhenThawed(String policy, String domain, Instant firedAt) {
    if (clock.instant().isAfter(firedAt.plus(FROZEN_RETRY_FOR)) || worker.isShutdown()) {
      LOG.log(
          Level.WARNING,
          "policy "
              + policy
              + " on "
              + domain
              + ": still frozen after "
              + FROZEN_RETRY_FOR
              + ", giving up until the next schedule");
      return;
    }
    schedule(() -> evaluateScheduled(policy, domain, firedAt), FROZEN_RETRY);
  }

  /** Runs {@code task} on the engine's thread after {@code delay} (a Quartz one-shot timer). */
  private void schedule(Runnable task, Duration delay) {
    worker.schedule(task, delay);
  }

  // --- schedules ---------------------------------------------------------------------------

  /**
   * A cron trigger of the policy fired for {@code firedAt} (on the engine's thread): each matching
   * domain is evaluated after its jitter, unless the fire merges with the last one ({@link
   * PolicySchedules#counts}).
   */
  void onSchedule(String policy, Instant firedAt) {
    Rulebook book = rulebook;
    Policy p = book.byName().get(policy);
    if (p == null || p.schedule().isEmpty()) {
      return;
    }
    if (schedules.counts(p, p.zone(book.defaults()), firedAt)) {
      fire(book, p, firedAt);
    }
  }

  private void fire(Rulebook book, Policy rule, Instant firedAt) {
    for (DomainHandle handle : domains.all()) {
      if (!rule.match().matchesDomain(handle.name())) {
        continue;
      }
      Duration delay = Rules.jitterDelay(rule.name(), handle.name(), rule.jitter());
      String domain = handle.name();
      schedule(() -> evaluateScheduled(rule.name(), domain, firedAt), delay);
    }
  }

  private void evaluateScheduled(String policy, String domain, Instant firedAt) {
    Rulebook book = rulebook;
    Policy rule = book.byName().get(policy);
    Optional<DomainHandle> handle = domains.find(domain);
    if (rule == null || handle.isEmpty()) {
      return;
    }
    Decision d = decide(book, rule, handle.get(), clock.instant(), Trigger.SCHEDULE);
    if (d.run()) {
      submit(book, rule, domain, Trigger.SCHEDULE, d, rule.dryRun());
    } else if (d.retryWhenThawed()) {
      retryWhenThawed(policy, domain, firedAt);
    } else {
      LOG.log(Level.FINE, "policy " + policy + " on " + domain + ": " + d);
    }
  }

  // --- conditions --------------------------------------------------------------------------

  private void onCollected(DomainHandle handle, String collector, DomainSamples samples) {
    DomainFacts facts = polled.collected(handle, collector, samples);
    Rulebook book = rulebook;
    Instant now = clock.instant();
    for (Policy rule : book.byName().values()) {
      if (rule.schedule().isPresent()
          || rule.when().isEmpty()
          || !polled.relevant(rule.when().get(), collector, handle.name(), now, rule.name())) {
        continue;
      }
      Decision d = decide(book, rule, facts, now, Trigger.COLLECTED);
      if (d.run()) {
        submit(book, rule, handle.name(), Trigger.COLLECTED, d, rule.dryRun());
      }
    }
  }

  private void onAgentUp(DomainHandle handle) {
    Rulebook book = rulebook;
    Instant now = clock.instant();
    DomainFacts facts = DomainFacts.of(handle, null);
    for (Policy rule : book.byName().values()) {
      if (rule.schedule().isPresent()
          || rule.when().isEmpty()
          || !rule.when().get().agentConnected().orElse(false)) {
        continue;
      }
      Decision d = decide(book, rule, facts, now, Trigger.AGENT_UP);
      if (d.run()) {
        submit(book, rule, handle.name(), Trigger.AGENT_UP, d, rule.dryRun());
      }
    }
  }

  private void onRecord(ActionRecord record) {
    if (record.action().equals("time_sync")
        && record.outcome() == Outcome.SUCCEEDED
        && !record.dryRun()) {
      // our own correction is not a clock jump: start the comparison afresh
      polled.clockSet(record.domain());
    }
  }

  /** Hands every event to the engine's thread: the poller never waits on rules or guests. */
  private final class Listener implements DomainListener {
    @Override
    public void onAgentUp(DomainHandle domain) {
      schedule(() -> PolicyEngine.this.onAgentUp(domain), Duration.ZERO);
    }

    @Override
    public void onCollected(DomainHandle domain, String collector, DomainSamples samples) {
      // Without rules on polled data only the clock offsets are tracked (for "clock jumped"
      // after a reload adds such a rule): no task per poll for nothing.
      if (collector.equals("time") || rulebook.onPolls()) {
        schedule(() -> PolicyEngine.this.onCollected(domain, collector, samples), Duration.ZERO);
      }
    }

    @Override
    public void onDomainRemoved(String domain) {
      schedule(
          () -> {
            polled.forget(domain);
            executor.metrics().forgetDomain(domain);
          },
          Duration.ZERO);
    }
  }

  /** Waits until events handed to the engine so far are evaluated (tests). */
  void awaitIdle() throws Exception {
    worker.awaitIdle();
  }

  /** Stops evaluating; runs already queued on the executor are the executor's to finish. */
  @Override
  public void close() {
    schedules.close();
    worker.close();
  }
}
