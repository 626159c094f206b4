package io.qga.exporter.poll;

import io.qga.client.protocol.AgentProbe;
import io.qga.collectors.Collector;
import io.qga.collectors.DomainSamples;
import io.qga.exporter.runtime.DomainDirectory;
import io.qga.exporter.runtime.DomainHandle;
import io.qga.exporter.runtime.DomainListener;
import io.qga.exporter.runtime.Timers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Polls every discovered domain at a stable per-domain offset in each collector's interval ({@link
 * PollSchedule}), driven by one trigger per interval ({@link #scheduleWheel}) on the daemon's
 * {@link Timers} (Quartz). Quartz threads never touch an agent: a trigger only queues the poll on
 * the domain's {@link SerialQueue}, which runs on a bounded shared pool ({@link PollPool}). A poll
 * whose previous run for the same domain and collector is still queued or running is skipped and
 * counted ({@code qga_poll_skipped_total}).
 *
 * <p>Also the daemon's {@link DomainDirectory}: the policy engine and the control API find domains
 * and subscribe to events here.
 */
public final class Poller implements DomainDirectory, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Poller.class.getName());

  /** Timer group of the polling schedule; the domains' probes are in {@link #PROBES}. */
  private static final String WHEEL = "poll-schedule";

  private static final String PROBES = "poll-probe";

  /** How often the polling schedule looks for domains whose turn came. */
  static final Duration TICK = Duration.ofSeconds(1);

  /** Default minimum size of the shared pool. */
  public static final int DEFAULT_WORKERS = 16;

  /**
   * The pool may grow to one thread per domain up to this bound: a domain never needs more than one
   * (its queue is serial), so with at most this many domains no domain waits for long on a thread
   * held by another's hung agent. Threads start only when work stalls ({@link PollPool}): a healthy
   * agent answers in about a millisecond, so a few threads serve thousands of domains; hung ones
   * hold a thread each until their command timeout.
   */
  public static final int MAX_WORKERS = 512;

  private final Map<String, Collector> available;
  private final Clock clock;
  private final PollPool pool;
  private final AgentProbe prober;
  private final int minWorkers;
  private final Timers timers;
  private final boolean ownTimers;
  private final Map<String, Timers.Timer> probes = new ConcurrentHashMap<>();
  private final ConcurrentSkipListMap<String, PolledDomain> domains = new ConcurrentSkipListMap<>();
  private final List<DomainListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, LongAdder> skipped = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final Set<String> warnedUnknown = ConcurrentHashMap.newKeySet();
  private volatile PollSettings settings;
  private volatile java.util.function.Predicate<String> paused = name -> false;
  private volatile Backoff backoff;
  private volatile boolean closed;

  /**
   * @param collectors every collector that config may enable (usually {@code Collectors.all()})
   * @param settings what to poll and how often
   * @param workers least size of the shared pool that talks to agents (it grows with the number of
   *     domains, up to {@link #MAX_WORKERS})
   * @param clock for timestamps (scheduling itself uses Quartz's system clock)
   */
  public Poller(
      Collection<? extends Collector> collectors, PollSettings settings, int workers, Clock clock) {
    this(collectors, settings, workers, clock, null);
  }

  /**
   * @param timers the daemon's scheduler; null: the poller starts its own, stopped with it
   */
  public Poller(
      Collection<? extends Collector> collectors,
      PollSettings settings,
      int workers,
      Clock clock,
      Timers timers) {
    Map<String, Collector> byName = new LinkedHashMap<>();
    collectors.forEach(c -> byName.put(c.name(), c));
    this.available = Map.copyOf(byName);
    this.clock = clock;
    this.settings = settings;
    this.backoff = backoffFor(settings);
    warnUnknown(settings);
    this.minWorkers = workers;
    this.pool = new PollPool(workers, MAX_WORKERS);
    try {
      this.prober = new AgentProbe();
    } catch (IOException e) {
      pool.close();
      throw new UncheckedIOException("cannot open a selector for agent probes", e);
    }
    this.ownTimers = timers == null;
    this.timers = timers == null ? Timers.start("poller") : timers;
  }

  public void start() {
    scheduleWheel();
  }

  /**
   * Makes the polled set equal to {@code targets}: new domains are connected and scheduled,
   * vanished ones are unscheduled, their channel closed and their series dropped, domains whose
   * channel changed are reconnected; all others keep their state.
   */
  public synchronized void setTargets(Collection<PollTarget> targets) {
    if (closed) {
      return;
    }
    Map<String, PollTarget> wanted = new TreeMap<>();
    for (PollTarget t : targets) {
      wanted.putIfAbsent(t.name(), t);
    }
    for (PolledDomain d : new ArrayList<>(domains.values())) {
      PollTarget t = wanted.get(d.name());
      if (t == null) {
        removeDomain(d);
        LOG.info(() -> "domain " + d.name() + ": removed");
        notify(l -> l.onDomainRemoved(d.name()));
      } else if (!t.equals(d.target())) {
        removeDomain(d);
        LOG.info(
            () ->
                "domain "
                    + d.name()
                    + ": channel changed to "
                    + t.channel()
                    + " (route "
                    + t.route()
                    + ")");
        addDomain(t);
      }
    }
    resizePool(wanted.size());
    for (PollTarget t : wanted.values()) {
      if (!domains.containsKey(t.name())) {
        LOG.info(() -> "domain " + t.name() + ": added (" + t.channel() + ")");
        addDomain(t);
      }
    }
  }

  private void resizePool(int domainCount) {
    int size = Math.max(minWorkers, Math.min(MAX_WORKERS, domainCount));
    LOG.fine(() -> "poll pool: at most " + size + " threads for " + domainCount + " domains");
    pool.setMaxThreads(size);
  }

  /** The most threads the shared pool had at once. */
  int largestPoolThreads() {
    return pool.largestThreads();
  }

  /** Threads the shared pool may use now. */
  int poolSize() {
    return pool.maxThreads();
  }

  /** Applies new intervals, timeouts and limits; domains keep their state and phase. */
  public synchronized void apply(PollSettings newSettings) {
    PollSettings old = settings;
    settings = newSettings;
    backoff = backoffFor(newSettings);
    warnUnknown(newSettings);
    if (old.intervals().equals(newSettings.intervals())) {
      return;
    }
    for (PolledDomain d : domains.values()) {
      d.retainCollectors(newSettings.intervals().keySet());
    }
    scheduleWheel();
  }

  public PollSettings settings() {
    return settings;
  }

  @Override
  public Optional<DomainHandle> find(String name) {
    return Optional.ofNullable(domains.get(name));
  }

  @Override
  public Collection<DomainHandle> all() {
    return List.copyOf(domains.values());
  }

  /**
   * Polls the domain now: its agent may answer again (libvirt said the domain resumed or its agent
   * connected). A domain that is down is probed at once instead of after its backoff; one that is
   * up reads guest-info again and runs every collector. Returns at once; unknown names are ignored.
   */
  public void wake(String name) {
    PolledDomain d = domains.get(name);
    if (d != null && !closed) {
      d.wake();
    }
  }

  /** Where {@link DomainHandle#paused()} comes from (libvirt's events); by default never paused. */
  public void pausedBy(java.util.function.Predicate<String> paused) {
    this.paused = paused;
  }

  boolean paused(String name) {
    return paused.test(name);
  }

  @Override
  public void addListener(DomainListener listener) {
    listeners.add(listener);
  }

  /** Domains as the metrics and landing page read them, sorted by name. */
  List<PolledDomain> polledDomains() {
    return List.copyOf(domains.values());
  }

  /** Coalesced (skipped) polls per collector since start. */
  Map<String, Long> skippedPolls() {
    return sums(skipped);
  }

  /** Failed polls by kind (timeout, connection, protocol, agent_error, internal). */
  Map<String, Long> pollErrors() {
    return sums(errors);
  }

  private static Map<String, Long> sums(Map<String, LongAdder> adders) {
    Map<String, Long> out = new TreeMap<>();
    adders.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (ownTimers) {
      timers.close(); // does not wait for running ticks: they only hand work to the queues
    } else {
      timers.cancelGroup(WHEEL);
      timers.cancelGroup(PROBES);
    }
    pool.close();
    prober.close();
    domains.values().forEach(PolledDomain::remove);
    domains.clear();
  }

  // --- used by PolledDomain ------------------------------------------------------------------

  Clock clock() {
    return clock;
  }

  Backoff backoff() {
    return backoff;
  }

  /** Probes agents on unix sockets without a thread each. */
  AgentProbe prober() {
    return prober;
  }

  Collector collector(String name) {
    return available.get(name);
  }

  void countSkipped(String collector) {
    skipped.computeIfAbsent(collector, k -> new LongAdder()).increment();
  }

  void countError(String kind) {
    errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }

  void scheduleProbe(PolledDomain domain, Duration delay) {
    if (closed || domains.get(domain.name()) != domain) {
      return;
    }
    String name = domain.name();
    Timers.Timer probe;
    try {
      probe =
          timers.once(
              PROBES,
              delay,
              () -> {
                PolledDomain d = domains.get(name);
                if (d != null) {
                  d.fireProbe();
                }
              });
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot schedule the probe of domain " + name, e);
      return;
    }
    // one probe per domain: a newer one replaces the one pending
    Timers.Timer old = probes.put(name, probe);
    if (old != null) {
      old.cancel();
    }
  }

  void cancelProbe(PolledDomain domain) {
    Timers.Timer probe = probes.remove(domain.name());
    if (probe != null) {
      probe.cancel();
    }
  }

  void notifyUp(DomainHandle domain) {
    notify(l -> l.onAgentUp(domain));
  }

  void notifyDown(DomainHandle domain, String reason) {
    notify(l -> l.onAgentDown(domain, reason));
  }

  void notifyCollected(DomainHandle domain, String collector, DomainSamples samples) {
    notify(l -> l.onCollected(domain, collector, samples));
  }

  // --- internals -----------------------------------------------------------------------------

  private void notify(Consumer<DomainListener> event) {
    for (DomainListener l : listeners) {
      try {
        event.accept(l);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a domain listener failed", e);
      }
    }
  }

  private void addDomain(PollTarget target) {
    PolledDomain d;
    try {
      d = new PolledDomain(this, target, new SerialQueue(pool));
    } catch (RuntimeException e) {
      LOG.warning(() -> "domain " + target.name() + ": cannot open " + target.channel() + ": " + e);
      return;
    }
    domains.put(target.name(), d);
    d.start();
  }

  private void removeDomain(PolledDomain d) {
    domains.remove(d.name(), d);
    cancelProbe(d);
    d.remove();
  }

  /**
   * The polling schedule: one Quartz trigger per distinct collector interval (the default config
   * has 4), firing every {@link #TICK} (or every interval, if shorter). Each firing polls the
   * domains whose turn falls within the tick just ended: a domain's turn is at its stable offset in
   * the interval ({@link PollSchedule}), so domains stay spread over the interval. Quartz's cost is
   * per firing (a tenth of a millisecond, and a thread handoff): a trigger per domain and collector
   * was 11 000 triggers and 16 % of the exporter's CPU at a thousand domains.
   */
  private synchronized void scheduleWheel() {
    if (closed) {
      return;
    }
    timers.cancelGroup(WHEEL);
    Map<Duration, List<String>> byInterval = new TreeMap<>();
    settings
        .intervals()
        .forEach(
            (collector, interval) -> {
              if (available.containsKey(collector)) {
                byInterval.computeIfAbsent(interval, i -> new ArrayList<>()).add(collector);
              }
            });
    long now = System.currentTimeMillis();
    byInterval.forEach(
        (interval, collectors) -> {
          long tick = Math.max(1, Math.min(interval.toMillis(), TICK.toMillis()));
          String[] names = collectors.toArray(new String[0]);
          try {
            timers.every(
                WHEEL,
                Instant.ofEpochMilli((now / tick + 1) * tick), // ticks on multiples of the tick
                Duration.ofMillis(tick),
                // after a stall the missed ticks are skipped (no burst of polls)
                t -> tick(interval.toMillis(), tick, names, t.toEpochMilli()));
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot schedule " + collectors + " every " + interval, e);
          }
        });
  }

  /**
   * Polls the domains whose turn is in (t - tick, t]: whose offset is that far into the interval.
   */
  private void tick(long interval, long tick, String[] collectors, long t) {
    for (PolledDomain d : domains.values()) {
      if (PollSchedule.isDue(d.schedulePhase(), interval, tick, t)) {
        for (String collector : collectors) {
          d.firePoll(collector);
        }
      }
    }
  }

  private void warnUnknown(PollSettings s) {
    for (String name : s.intervals().keySet()) {
      if (!available.containsKey(name) && warnedUnknown.add(name)) {
        LOG.warning(() -> "collector " + name + " is enabled in config but does not exist");
      }
    }
  }

  private static Backoff backoffFor(PollSettings s) {
    Duration cap = s.backoffCap();
    Duration initial = Duration.ofSeconds(1);
    return new Backoff(initial.compareTo(cap) < 0 ? initial : cap, cap);
  }
}
