package io.qga.exporter.poll;

import io.qga.client.AgentChannel;
import io.qga.client.AgentConnectionException;
import io.qga.client.AgentException;
import io.qga.client.AgentTimeoutException;
import io.qga.client.AgentUnsupportedException;
import io.qga.client.api.Capabilities;
import io.qga.client.api.FreezeStatus;
import io.qga.client.api.GuestAgent;
import io.qga.client.api.GuestInfo;
import io.qga.client.protocol.AgentProbe;
import io.qga.client.protocol.AgentSession;
import io.qga.collectors.CollectContext;
import io.qga.collectors.Collector;
import io.qga.collectors.DomainSamples;
import io.qga.collectors.Exposition;
import io.qga.collectors.GuestRecord;
import io.qga.exporter.runtime.DomainHandle;
import io.qga.exporter.runtime.GuestData;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * One polled domain: its channel, its serial queue, the agent's state, the last result of every
 * collector and the latest typed guest data they decoded ({@link GuestData}, what the control API
 * and the policies read). Every conversation with the agent runs on the domain's {@link
 * SerialQueue}; the fields read by scrapes are immutable values behind volatile references, so a
 * scrape never waits on the guest.
 *
 * <p>State machine: UNKNOWN (just discovered) -> guest-info -> UP; a timeout or broken channel ->
 * DOWN: collectors stop, only a ping probe runs at growing intervals (backoff) until the agent
 * answers, then guest-info and every collector at once (RECOVERING, still {@code qga_up 0}) -> UP
 * once a collector got an answer. An agent that answers pings but times out on data (a trickling or
 * half-broken guest) thus stays down, its backoff keeps growing, and it logs "lost" once instead of
 * a lost/back pair per probe.
 *
 * <p>Over the ~450-line guide on purpose: what is left here is the one state machine (connect,
 * guest-info, collectors, backoff, freeze pause); its bookkeeping lives in {@link CollectorStates},
 * and cutting the transitions apart would put one machine in several files.
 */
final class PolledDomain implements DomainHandle {
  private static final Logger LOG = Logger.getLogger(Poller.class.getName());

  enum Phase {
    UNKNOWN,
    UP,
    DOWN,
    RECOVERING
  }

  private final Poller poller;
  private final PollTarget target;
  private final AgentChannel channel;
  private final GuestAgent agent;
  private final SerialQueue queue;
  private final Map<String, AtomicBoolean> pending = new ConcurrentHashMap<>();
  private final CollectorStates collectors = new CollectorStates();
  private final long schedulePhase;

  /** How the agent can be probed without a thread ({@link AgentProbe}); null: on the queue. */
  private final AgentProbe.Target probeTarget;

  private volatile Phase phase = Phase.UNKNOWN;
  private volatile AgentState state = new AgentState(false, "", null, null, null, false);

  /** Replaced (never changed) on the serial queue after each successful poll and guest-info. */
  private volatile GuestData guest = GuestData.EMPTY;

  private volatile boolean removed;

  /** The first contact's sync ({@link #start}) is under way: no polls yet. */
  private volatile boolean firstSync;

  // Confined to the serial queue.
  private int failures;
  private Instant lastInfoAt;

  PolledDomain(Poller poller, PollTarget target, SerialQueue queue) {
    this.poller = poller;
    this.target = target;
    this.queue = queue;
    AgentChannel opened = target.opener().get();
    this.channel = new FreezeWatch(opened, this::freezeChanged);
    this.probeTarget = opened instanceof AgentSession s ? s.probeTarget().orElse(null) : null;
    this.agent = new GuestAgent(channel);
    this.schedulePhase = PollSchedule.phase(target.name());
  }

  // --- DomainHandle ------------------------------------------------------------------------

  @Override
  public String name() {
    return target.name();
  }

  @Override
  public Optional<String> uuid() {
    return target.uuid();
  }

  @Override
  public String channel() {
    return target.channel();
  }

  @Override
  public String route() {
    return target.route();
  }

  @Override
  public String source() {
    return target.source();
  }

  @Override
  public Map<String, String> collectors() {
    return collectors.summary();
  }

  @Override
  public GuestAgent agent() {
    return agent;
  }

  @Override
  public AgentState state() {
    AgentState s = state;
    boolean frozen = guest.frozen();
    return new AgentState(
        s.up(), s.version(), s.lastSuccess(), s.lastError(), s.lastErrorAt(), frozen);
  }

  @Override
  public boolean paused() {
    return poller.paused(name());
  }

  /** The collectors that succeeded at least once and are offered by the agent (tests). */
  List<String> collectorsWithSeries() {
    return collectors.withSeries();
  }

  @Override
  public GuestData guest() {
    return guest;
  }

  // --- read by scrapes -----------------------------------------------------------------------

  PollTarget target() {
    return target;
  }

  Phase phase() {
    return phase;
  }

  /** Where in each interval the domain is polled ({@link PollSchedule#phase}). */
  long schedulePhase() {
    return schedulePhase;
  }

  /** A live, read-only view in collector name order (each entry as of when it is read). */
  Map<String, CollectorState> collectorStates() {
    return collectors.view();
  }

  // --- driven by the poller --------------------------------------------------------------------

  /**
   * First contact after discovery: guest-info, then every collector once. On a unix socket a sync
   * without a thread ({@link AgentProbe#sync}) comes first, and polls wait for it: a domain whose
   * agent never answers holds no poll thread from the start.
   */
  void start() {
    if (probeTarget == null) {
      queue.submit(this::firstContact);
      return;
    }
    firstSync = true;
    poller
        .prober()
        .sync(
            probeTarget,
            poller.settings().commandTimeout(),
            r -> queue.submit(() -> firstSynced(r)));
  }

  private void firstSynced(AgentProbe.Result result) {
    firstSync = false;
    if (removed || result.answered()) {
      firstContact();
      return;
    }
    poller.countError(result.timedOut() ? "timeout" : "connection");
    lost(result.error());
  }

  private void firstContact() {
    // a trigger may have fired (and connected) before this first task ran
    if (!removed && phase != Phase.DOWN && refreshInfo(poller.settings())) {
      pollAllNow();
    }
  }

  /** A collector's trigger fired: queue its poll unless the previous one is still pending. */
  void firePoll(String collector) {
    queuePoll(collector, true);
  }

  private void queuePoll(String collector, boolean countSkip) {
    if (removed || phase == Phase.DOWN || firstSync) {
      return; // the probe brings the domain back; the first sync polls every collector
    }
    AtomicBoolean busy = pending.computeIfAbsent(collector, k -> new AtomicBoolean());
    if (!busy.compareAndSet(false, true)) {
      if (countSkip) {
        poller.countSkipped(collector);
      }
      return;
    }
    boolean queued =
        queue.submit(
            () -> {
              try {
                runCollector(collector);
              } finally {
                busy.set(false);
              }
            });
    if (!queued) {
      busy.set(false);
    }
  }

  /** Told the agent may answer now: probe at once when down, else read everything again. */
  void wake() {
    queue.submit(
        () -> {
          if (removed) {
            return;
          }
          if (phase == Phase.DOWN) {
            fireProbe(); // without a thread where it can
          } else {
            lastInfoAt = null; // an agent that reconnected may be another version
            pollAllNow();
          }
        });
  }

  /**
   * The probe trigger fired: sync and ping. On a unix socket without a thread ({@link AgentProbe}:
   * a hung agent holds no poll thread while it does not answer), the answer handled on the serial
   * queue; on other channels (libvirt, vsock) on the serial queue.
   */
  void fireProbe() {
    if (probeTarget == null) {
      queue.submit(this::probe);
      return;
    }
    if (removed || phase != Phase.DOWN) {
      return;
    }
    Duration timeout = poller.settings().commandTimeout();
    poller.prober().probe(probeTarget, timeout, r -> queue.submit(() -> probed(r)));
  }

  /** Forgets the domain: queued work becomes a no-op, the channel is closed. */
  void remove() {
    removed = true;
    channel.close();
  }

  /** Collectors were disabled by a reload: their series go away. */
  void retainCollectors(java.util.Set<String> enabled) {
    collectors.retain(enabled);
  }

  private void pollAllNow() {
    for (String collector : poller.settings().intervals().keySet()) {
      queuePoll(collector, false);
    }
  }

  private void runCollector(String name) {
    if (removed || phase == Phase.DOWN) {
      return;
    }
    PollSettings settings = poller.settings();
    Collector collector = poller.collector(name);
    if (collector == null || !settings.intervals().containsKey(name)) {
      return; // disabled by a reload since it was queued
    }
    if (!refreshInfo(settings)) {
      return;
    }
    CollectorState last = collectors.get(name);
    if (last != null && last.unsupported()) {
      return; // asked again only when guest-info says the command is back (thawed, upgraded)
    }
    Capabilities caps = agent.cachedCapabilities();
    String primary = collector.commands().isEmpty() ? null : collector.commands().get(0);
    // Listed but disabled may mean "frozen right now" (guest-info's flags change during a freeze):
    // only the agent's refusal tells, so such a command is asked and its answer decides.
    if (primary != null && caps != null && !caps.known().contains(primary)) {
      markUnsupported(name, primary, null);
      return;
    }
    long start = System.nanoTime();
    DomainSamples.Builder out = DomainSamples.builder(settings.limits());
    try {
      collector.collect(
          agent.withTimeout(settings.commandTimeout()),
          new CollectContext(settings.limits(), poller.clock(), caps),
          out);
      DomainSamples samples = out.build();
      updateGuest(g -> g.with(samples.record()));
      Instant now = poller.clock().instant();
      CollectorState before =
          collectors.put(
              name,
              new CollectorState(
                  true,
                  seconds(start),
                  now,
                  Exposition.prepare(name(), name, samples),
                  false,
                  false));
      if (before != null && !before.success() && !before.frozen() && before.lastSuccess() != null) {
        LOG.info(() -> "domain " + name() + ": collector " + name + " recovered");
      }
      alive(now);
      poller.notifyCollected(this, name, samples);
    } catch (io.qga.client.AgentFrozenException e) {
      pausedByFreeze(name, start);
    } catch (AgentUnsupportedException e) {
      if (state().frozen() && e.description().contains("disabled")) {
        pausedByFreeze(name, start); // an older agent's wording, while the guest is known frozen
      } else {
        // the route's own refusal (libvirt typed calls) says why; the agent's needs no more
        markUnsupported(
            name, e.command(), e.errorClass().equals("RouteUnsupported") ? e.description() : null);
      }
    } catch (AgentTimeoutException | AgentConnectionException e) {
      failed(name, start, e, e instanceof AgentTimeoutException ? "timeout" : "connection");
      lost(e.getMessage());
    } catch (AgentException e) {
      // A bad reply or an error answer: this collector failed, the agent itself is answering.
      failed(
          name,
          start,
          e,
          e instanceof io.qga.client.AgentProtocolException ? "protocol" : "agent_error");
      if (phase == Phase.RECOVERING) {
        alive(poller.clock().instant());
      }
    } catch (RuntimeException e) {
      failed(name, start, e, "internal");
    }
  }

  private void failed(String name, long start, RuntimeException e, String kind) {
    poller.countError(kind);
    String message = String.valueOf(e.getMessage());
    Instant now = poller.clock().instant();
    CollectorState before = collectors.get(name);
    collectors.put(name, CollectorState.keptAfter(before, seconds(start), false));
    AgentState s = state;
    state = new AgentState(s.up(), s.version(), s.lastSuccess(), name + ": " + message, now, false);
    boolean wasFine = before == null || before.success();
    if (wasFine && !kind.equals("timeout") && !kind.equals("connection")) {
      // State changes only: one line when a collector starts failing, one when it recovers.
      LOG.warning(() -> "domain " + name() + ": collector " + name + " failing: " + message);
    }
  }

  private void markUnsupported(String name, String command, String why) {
    collectors.put(name, CollectorState.UNSUPPORTED);
    if (phase == Phase.RECOVERING) {
      alive(poller.clock().instant()); // guest-info or the command itself was answered
    }
    if (collectors.firstUnsupported(name)) {
      String reason =
          why != null
              ? why
              : route().equals("libvirt_typed")
                  ? command
                      + " is not offered on route libvirt_typed (no typed libvirt call; see"
                      + " discovery.libvirt.allow_raw_agent_commands)"
                  : "the agent does not offer " + command;
      LOG.info(() -> "domain " + name() + ": collector " + name + " not polled: " + reason);
    }
  }

  /**
   * The agent refused the collector's command because the guest is frozen: not a failure and not
   * "unsupported". The last samples stay, marked stale ({@code qga_collector_success 0}, the
   * last-success timestamp ages); the thaw polls again at once ({@link #freezeChanged}).
   */
  private void pausedByFreeze(String name, long start) {
    CollectorState before = collectors.get(name);
    collectors.put(name, CollectorState.keptAfter(before, seconds(start), true));
    alive(poller.clock().instant()); // the agent answered
  }

  /**
   * Replaces the guest data; the poll queue and API or policy threads (the freeze watch) both
   * update it. Returns the data before.
   */
  private synchronized GuestData updateGuest(java.util.function.UnaryOperator<GuestData> change) {
    GuestData before = guest;
    guest = change.apply(before);
    return before;
  }

  /**
   * The freeze state changed (seen on this domain's channel, whoever asked). On the thaw, the
   * collectors paused by the freeze poll at once and guest-info is read again: one read during the
   * freeze showed their commands disabled.
   */
  private void freezeChanged(boolean frozen) {
    GuestRecord.Freeze now =
        new GuestRecord.Freeze(frozen ? FreezeStatus.FROZEN : FreezeStatus.THAWED);
    if (updateGuest(g -> g.with(now)).frozen() == frozen) {
      return; // the first answer of a connection, telling what the last status poll said
    }
    LOG.info(() -> "domain " + name() + (frozen ? ": guest frozen" : ": guest thawed"));
    if (!frozen) {
      queue.submit(
          () -> {
            lastInfoAt = null;
            collectors.pausedByFreeze().forEach(c -> queuePoll(c, false));
          });
    }
  }

  /** guest-info on first contact, after the agent came back, and every infoRefresh. */
  private boolean refreshInfo(PollSettings settings) {
    Instant now = poller.clock().instant();
    if ((phase == Phase.UP || phase == Phase.RECOVERING)
        && lastInfoAt != null
        && now.isBefore(lastInfoAt.plus(settings.infoRefresh()))) {
      return true;
    }
    return connect();
  }

  private boolean connect() {
    PollSettings settings = poller.settings();
    try {
      GuestInfo info = agent.withTimeout(settings.commandTimeout()).info();
      updateGuest(g -> g.withCommands(info));
      String version = info.version();
      String old = state.version();
      if (!old.isEmpty() && !old.equals(version)) {
        LOG.info(
            () -> "domain " + name() + ": agent version changed from " + old + " to " + version);
        // A new agent may offer what the old one lacked: try unsupported collectors again.
        collectors.agentChanged();
      }
      Capabilities caps = Capabilities.from(info);
      // Commands disabled while frozen come back after the thaw: poll them again.
      collectors.offeredAgain(c -> primarySupported(c, caps));
      AgentState s = state;
      state =
          new AgentState(s.up(), version, s.lastSuccess(), s.lastError(), s.lastErrorAt(), false);
    } catch (AgentUnsupportedException e) {
      // guest-info blocked: poll without knowing capabilities, collectors find out themselves.
    } catch (AgentTimeoutException | AgentConnectionException e) {
      poller.countError(e instanceof AgentTimeoutException ? "timeout" : "connection");
      lost(e.getMessage());
      return false;
    } catch (AgentException e) {
      poller.countError(
          e instanceof io.qga.client.AgentProtocolException ? "protocol" : "agent_error");
      lost(e.getMessage());
      return false;
    }
    lastInfoAt = poller.clock().instant();
    if (phase == Phase.DOWN) {
      phase = Phase.RECOVERING; // up once a collector gets an answer
    } else {
      alive(lastInfoAt);
    }
    return true;
  }

  private void probe() {
    if (removed || phase != Phase.DOWN) {
      return;
    }
    try {
      agent.withTimeout(poller.settings().commandTimeout()).ping();
    } catch (AgentUnsupportedException e) {
      // ping blocked but the agent answered: it is back
    } catch (AgentException e) {
      poller.countError(e instanceof AgentTimeoutException ? "timeout" : "connection");
      lost(e.getMessage());
      return;
    } catch (RuntimeException e) {
      lost(String.valueOf(e.getMessage()));
      return;
    }
    recover();
  }

  /** The answer of a probe made without a thread. */
  private void probed(AgentProbe.Result result) {
    if (removed || phase != Phase.DOWN) {
      return;
    }
    if (!result.answered()) {
      poller.countError(result.timedOut() ? "timeout" : "connection");
      lost(result.error());
      return;
    }
    recover();
  }

  /** The agent answered a probe: guest-info (on a new connection), then every collector. */
  private void recover() {
    if (connect()) {
      if (poller.settings().intervals().isEmpty()) {
        alive(poller.clock().instant());
      }
      pollAllNow();
    }
  }

  private void alive(Instant now) {
    AgentState s = state;
    state = new AgentState(true, s.version(), now, s.lastError(), s.lastErrorAt(), false);
    Phase was = phase;
    if (was == Phase.UP) {
      return;
    }
    phase = Phase.UP;
    failures = 0;
    poller.cancelProbe(this);
    String version = state.version();
    if (was == Phase.DOWN || was == Phase.RECOVERING) {
      LOG.info(() -> "domain " + name() + ": agent back (version " + version + ")");
    } else {
      LOG.info(
          () -> "domain " + name() + ": agent up (version " + version + ", " + channel() + ")");
    }
    poller.notifyUp(this);
  }

  private void lost(String reason) {
    if (removed) {
      return;
    }
    channel.close(); // the next command reconnects and resyncs
    failures++;
    Instant now = poller.clock().instant();
    AgentState s = state;
    state = new AgentState(false, s.version(), s.lastSuccess(), reason, now, false);
    Phase was = phase;
    phase = Phase.DOWN;
    Duration delay = poller.backoff().delay(failures);
    poller.scheduleProbe(this, delay);
    if (was == Phase.DOWN || was == Phase.RECOVERING) {
      return; // still down: no log line per failed probe or failed recovery
    }
    if (paused()) {
      // expected, not the agent's fault: libvirt said the domain is paused
      LOG.info(() -> "domain " + name() + ": agent silent while the domain is paused: " + reason);
    } else if (was == Phase.UP) {
      LOG.warning(() -> "domain " + name() + ": agent lost: " + reason);
    } else {
      LOG.warning(() -> "domain " + name() + ": agent not responding: " + reason);
    }
    poller.notifyDown(this, reason);
  }

  private boolean primarySupported(String collectorName, Capabilities caps) {
    Collector c = poller.collector(collectorName);
    return c != null && !c.commands().isEmpty() && caps.supports(c.commands().get(0));
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
