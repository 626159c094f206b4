package io.qga.exporter;

import io.qga.client.AgentChannel;
import io.qga.client.protocol.AgentSession;
import io.qga.exporter.config.Config;
import io.qga.exporter.discovery.DiscoveredDomain;
import io.qga.exporter.discovery.Discovery;
import io.qga.exporter.discovery.LibvirtConnection;
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
 * to the poller, each with a way to open its agent channel.
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
  }

  /** A reloaded config: discovers again now, and reschedules when the interval changed. */
  void apply(Config next, Config old) {
    discovery = new Discovery(next.discovery());
    refresh();
    if (!next.discovery().refreshInterval().equals(old.discovery().refreshInterval())) {
      schedule(next.discovery().refreshInterval());
    }
  }

  /**
   * A trigger every {@code every}; the refresh itself runs on the discovery thread. A refresh still
   * running when the next is due makes that one a no-op (refreshes never pile up behind a slow
   * libvirt).
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
        timers.every(
            "discovery",
            Instant.now().plus(period),
            period,
            t -> {
              if (discovering.compareAndSet(false, true)) {
                try {
                  discoveryLoop.execute(
                      () -> {
                        try {
                          refresh();
                        } finally {
                          discovering.set(false);
                        }
                      });
                } catch (java.util.concurrent.RejectedExecutionException e) {
                  discovering.set(false); // stopping
                }
              }
            });
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
    LibvirtConnection l = libvirt;
    if (l != null) {
      l.close();
    }
  }
}
