package io.qga.exporter.discovery;

import io.qga.collectors.LabelValues;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What libvirt's domain events mean for the exporter, apart from how they arrive ({@link
 * LibvirtEvents}): which domains libvirt has running and which of them are paused, and what to do
 * now. A domain that starts, stops, migrates, crashes or is (un)defined makes discovery run at once
 * ({@link Reactions#rediscover}); a domain that resumes or whose agent connects or disconnects is
 * polled at once ({@link Reactions#pollNow}) instead of at its next probe. Called on the event
 * hand-off thread; read by scrapes and the poller from any thread.
 */
public final class DomainEvents {

  /** What the exporter does about an event; both must return at once (hand work off). */
  public interface Reactions {
    /** Run discovery now (a domain appeared or went away). */
    void rediscover();

    /** Poll this domain now: its agent may answer again (resumed, agent connected). */
    void pollNow(String domain);
  }

  /** The events, by the name counted in {@code qga_libvirt_events_received_total{event}}. */
  public enum Kind {
    DEFINED,
    UNDEFINED,
    STARTED,
    SUSPENDED,
    RESUMED,
    STOPPED,
    SHUTDOWN,
    PMSUSPENDED,
    CRASHED,
    AGENT_CONNECTED,
    AGENT_DISCONNECTED,
    /** A lifecycle event number this exporter does not know (a newer libvirt). */
    OTHER;

    /** The label value: started, agent_connected, ... */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** {@code virDomainEventType} (libvirt-domain.h) to a kind. */
    static Kind lifecycle(int event) {
      Kind[] known = {
        DEFINED, UNDEFINED, STARTED, SUSPENDED, RESUMED, STOPPED, SHUTDOWN, PMSUSPENDED, CRASHED
      };
      return event >= 0 && event < known.length ? known[event] : OTHER;
    }

    /** {@code virConnectDomainEventAgentLifecycleState}: 1 connected, 2 disconnected. */
    static Kind agent(int state) {
      return state == 1 ? AGENT_CONNECTED : state == 2 ? AGENT_DISCONNECTED : OTHER;
    }
  }

  /** {@code VIR_DOMAIN_EVENT_STARTED_MIGRATED}: an incoming migration, paused until it ends. */
  static final int STARTED_MIGRATED = 1;

  private final Reactions reactions;

  /** Active domains as libvirt last told, by (cleaned) name: true while paused. */
  private final Map<String, Boolean> active = new ConcurrentHashMap<>();

  public DomainEvents(Reactions reactions) {
    this.reactions = reactions;
  }

  /**
   * One event for one domain.
   *
   * @param detail the event's detail number (only {@link #STARTED_MIGRATED} matters here)
   */
  public void on(String domain, Kind kind, int detail) {
    String name = clean(domain);
    switch (kind) {
      case STARTED -> {
        // an incoming migration starts paused; a wakeup from S3 is a start of a known domain
        active.put(name, detail == STARTED_MIGRATED);
        reactions.rediscover();
        reactions.pollNow(name);
      }
      case STOPPED, UNDEFINED -> {
        active.remove(name);
        reactions.rediscover();
      }
      case DEFINED, CRASHED, OTHER -> reactions.rediscover();
      case SUSPENDED, PMSUSPENDED -> active.put(name, true);
      case RESUMED -> {
        active.put(name, false);
        reactions.pollNow(name);
      }
      // connected: polled at once instead of at its next probe; disconnected: the poll fails at
      // once and the agent shows down now, not at the next interval
      case AGENT_CONNECTED, AGENT_DISCONNECTED -> reactions.pollNow(name);
      case SHUTDOWN -> {
        // the guest shut itself down; STOPPED follows when QEMU has exited
      }
    }
  }

  /**
   * A full picture after (re)connecting: every active domain and whether it is paused (state paused
   * or pmsuspended). Replaces what events said so far; discovery runs at once, since events may
   * have been missed while disconnected.
   */
  public void resync(Map<String, Boolean> pausedByDomain) {
    Map<String, Boolean> now = new java.util.HashMap<>();
    pausedByDomain.forEach((d, p) -> now.merge(clean(d), p, Boolean::logicalOr));
    active.keySet().retainAll(now.keySet());
    active.putAll(now);
    reactions.rediscover();
  }

  /** True while libvirt has the domain paused (or the guest suspended to RAM or disk). */
  public boolean paused(String domain) {
    return Boolean.TRUE.equals(active.get(domain));
  }

  /** True when libvirt said the domain is active (running or paused). */
  public boolean active(String domain) {
    return active.containsKey(domain);
  }

  /** The names of the active domains libvirt told about, sorted. */
  public Set<String> activeDomains() {
    return new TreeSet<>(active.keySet());
  }

  /** libvirt names become domain names as discovery makes them ({@link Discovery}). */
  private static String clean(String name) {
    return LabelValues.clean(name, Discovery.MAX_NAME_LENGTH);
  }
}
