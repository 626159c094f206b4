package io.qga.exporter;

import io.qga.client.AgentChannel;
import io.qga.client.protocol.AgentSession;
import io.qga.exporter.config.Config;
import io.qga.exporter.config.LibvirtConfig;
import io.qga.exporter.discovery.DiscoveredDomain;
import io.qga.exporter.discovery.Discovery;
import io.qga.exporter.discovery.DomainEvents;
import io.qga.exporter.discovery.LibvirtConnection;
import io.qga.exporter.discovery.LibvirtEventMetrics;
import io.qga.exporter.discovery.LibvirtEvents;
import io.qga.exporter.discovery.Route;
import io.qga.exporter.poll.PollSettings;
import io.qga.exporter.poll.PollTarget;
import io.qga.exporter.poll.Poller;
import io.qga.exporter.runtime.Timers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@link Daemon}'s discovery: refreshes every {@code discovery.refresh_interval} on a thread of
 * its own (libvirt calls, directory scans stay off the Quartz threads) and hands the domains found
 * to the poller, each with a way to open its agent channel. With a libvirt connection it also
 * listens to libvirt's domain events ({@link LibvirtEvents}): a domain that starts or stops makes
 * discovery run at once, a domain that resumes or whose agent connects is polled at once, and
 * paused domains are marked ({@link io.qga.exporter.runtime.DomainHandle#paused()}).
 */
final class DomainFinder {
  private static final Logger LOG = Logger.getLogger(Daemon.class.getName());

  private final Timers timers;
  private final Poller poller;

  /** The config in force (the daemon's, replaced on reload). */
  private final Supplier<Config> config;

  /** Runs discovery refreshes (libvirt calls, directory scans) off the Quartz threads. */
  private final ExecutorService discoveryLoop;

  private final AtomicBoolean discovering = new AtomicBoolean();

  /** A refresh was asked for while one ran: run once more after it. */
  private final AtomicBoolean again = new AtomicBoolean();

  private volatile LibvirtEvents events;
  private volatile Discovery discovery;
  private volatile LibvirtConnection libvirt;
  private volatile boolean ready;
  private Timers.Timer discoveryTask;
  private boolean closed;

  DomainFinder(Timers timers, Poller poller, Supplier<Config> config) {
    this.timers = timers;
    this.poller = poller;
    this.config = config;
    this.discoveryLoop =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "discovery");
              t.setDaemon(true);
              return t;
            });
  }

  /** True once the first discovery has run. */
  boolean ready() {
    return ready;
  }

  Discovery discovery() {
    return discovery;
  }

  void open(Config c) {
    discovery = new Discovery(c.discovery());
    if (c.discovery().libvirt().enabled()) {
      libvirt = LibvirtConnection.open(c.discovery().libvirt().uri());
    }
    listen(c);
  }

  /**
   * Starts or stops listening to libvirt's events as the config asks: with libvirt discovery,
   * unless {@code source: run_dir} (which asks for no libvirt connection in discovery). A changed
   * {@code uri} takes effect after a restart, as for the rest of libvirt.
   */
  private synchronized void listen(Config c) {
    boolean wanted =
        c.discovery().libvirt().enabled()
            && c.discovery().libvirt().source() != LibvirtConfig.Source.RUN_DIR;
    LibvirtEvents running = events;
    if (wanted && running == null && !closed) {
      LibvirtEvents e =
          LibvirtEvents.start(
              c.discovery().libvirt().uri(),
              new DomainEvents(
                  new DomainEvents.Reactions() {
                    @Override
                    public void rediscover() {
                      refreshSoon();
                    }

                    @Override
                    public void pollNow(String domain) {
                      poller.wake(domain);
                    }
                  }));
      events = e;
      poller.pausedBy(e.domains()::paused);
    } else if (!wanted && running != null) {
      events = null;
      poller.pausedBy(name -> false);
      running.close();
    }
  }

  /** The event connection's series and {@code qga_domain_paused} (none without events). */
  LibvirtEventMetrics eventMetrics() {
    return new LibvirtEventMetrics(
        () -> events, () -> poller.all().stream().map(d -> d.name()).toList());
  }

  /** A reloaded config: discovers again now, and reschedules when the interval changed. */
  void apply(Config next, Config old) {
    discovery = new Discovery(next.discovery());
    listen(next);
    refresh();
    if (!next.discovery().refreshInterval().equals(old.discovery().refreshInterval())) {
      schedule(next.discovery().refreshInterval());
    }
  }

  /**
   * A trigger every {@code every}; the refresh itself runs on the discovery thread ({@link
   * #refreshSoon}).
   */
  synchronized void schedule(Duration every) {
    if (discoveryTask != null) {
      discoveryTask.cancel();
    }
    if (closed) {
      return;
    }
    Duration period = Duration.ofMillis(Math.max(100, every.toMillis()));
    discoveryTask =
        timers.every("discovery", Instant.now().plus(period), period, t -> refreshSoon());
  }

  /**
   * Runs a refresh on the discovery thread and returns at once. Asked while one runs, one more runs
   * after it (what changed during a refresh is not missed); asked again meanwhile, still one:
   * refreshes never pile up behind a slow libvirt.
   */
  void refreshSoon() {
    again.set(true);
    if (!discovering.compareAndSet(false, true)) {
      return;
    }
    try {
      discoveryLoop.execute(
          () -> {
            try {
              while (again.getAndSet(false)) {
                refresh();
              }
            } finally {
              discovering.set(false);
            }
            if (again.get()) {
              refreshSoon(); // asked between the last check and the flag's reset
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      discovering.set(false); // stopping
    }
  }

  void refresh() {
    try {
      List<DiscoveredDomain> found = discovery.refresh();
      List<PollTarget> targets = new ArrayList<>(found.size());
      for (DiscoveredDomain d : found) {
        targets.add(
            new PollTarget(
                d.name(),
                d.uuid(),
                d.route().describe(),
                d.route().kind(),
                d.source(),
                opener(d.route())));
      }
      poller.setTargets(targets);
      ready = true;
    } catch (RuntimeException e) {
      // Discovery never throws by contract; if it does, keep the last known domains.
      LOG.log(Level.WARNING, "discovery failed; keeping the domains known so far", e);
    }
  }

  private Supplier<AgentChannel> opener(Route route) {
    if (route instanceof Route.Direct direct) {
      return () -> new AgentSession(direct.address(), sessionOptions());
    }
    Route.Libvirt viaLibvirt = (Route.Libvirt) route;
    return () -> {
      LibvirtConnection l = libvirt;
      if (l == null) {
        synchronized (this) {
          if (libvirt == null) {
            libvirt = LibvirtConnection.open(config.get().discovery().libvirt().uri());
          }
          l = libvirt;
        }
      }
      return l.channelFor(viaLibvirt);
    };
  }

  /**
   * The session's own reconnect backoff stays short: the poller already backs off a failing agent
   * (probes capped at one interval), and a long session backoff would make a probe fail without
   * trying, delaying recovery beyond one interval.
   */
  private AgentSession.Options sessionOptions() {
    Config c = config.get();
    PollSettings s = poller.settings();
    Duration max = s.backoffCap().dividedBy(2);
    Duration min = Duration.ofMillis(50);
    if (max.compareTo(min) < 0) {
      max = min;
    }
    if (max.compareTo(Duration.ofSeconds(1)) > 0) {
      max = Duration.ofSeconds(1);
    }
    return AgentSession.Options.defaults()
        .withConnectTimeout(c.agent().connectTimeout())
        .withSyncTimeout(c.agent().commandTimeout())
        .withMaxReplyBytes((int) c.agent().maxReplySize())
        .withBackoff(min, max);
  }

  /** Stops refreshing (before the poller closes). */
  void stop() {
    synchronized (this) {
      closed = true;
      if (discoveryTask != null) {
        discoveryTask.cancel();
      }
    }
    discoveryLoop.shutdownNow();
  }

  /** Closes the libvirt connection (after the poller closed its channels). */
  void closeLibvirt() {
    LibvirtEvents e;
    synchronized (this) {
      e = events;
      events = null;
    }
    if (e != null) {
      e.close();
    }
    LibvirtConnection l = libvirt;
    if (l != null) {
      l.close();
    }
  }
}
