package io.qga.exporter.discovery;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A read-only libvirt connection that listens to domain events ({@code
 * VIR_DOMAIN_EVENT_ID_LIFECYCLE} and {@code VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE}) and hands each to
 * {@link DomainEvents}.
 *
 * <p>Threads: libvirt's default event loop runs on one daemon thread per process ({@link
 * LibvirtEventLoop}). The native callbacks run on that thread; they only read the domain's name and
 * queue the event for this object's own thread ({@code libvirt-events}), which also connects,
 * resyncs and reconnects: the loop never waits on libvirtd or on the exporter.
 *
 * <p>Connection: keepalive every {@link #KEEPALIVE_INTERVAL_SECONDS} s ({@link #KEEPALIVE_COUNT}
 * unanswered probes close it), and a close callback: when libvirtd stops or restarts the callback
 * fires (at once on end of file, after the keepalive on a hung daemon), the connection is dropped
 * and opened again after a backoff (1 s doubling to {@link #MAX_BACKOFF}). Each (re)connect lists
 * every active domain with its state ({@link DomainEvents#resync}) and runs discovery, so nothing
 * that happened while disconnected is lost. While no connection is open, discovery's periodic
 * refresh is what finds domains, as without events.
 *
 * <p>JNA keeps only a weak reference to a callback object: every callback handed to libvirt is a
 * field of this object (or a static one), which lives until {@link #close}.
 */
public final class LibvirtEvents implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LibvirtEvents.class.getName());

  static final int KEEPALIVE_INTERVAL_SECONDS = 5;
  static final int KEEPALIVE_COUNT = 3;
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /**
   * Events queued for the hand-off thread at most; past that they are dropped and a resync runs.
   */
  static final int MAX_QUEUED = 10_000;

  private static final int MAX_DOMAINS = LibvirtRunDir.MAX_FILES;

  private final String uri;
  private final DomainEvents events;
  private final ScheduledThreadPoolExecutor worker;
  private final AtomicInteger queued = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicBoolean overflowed =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final Map<String, LongAdder> received = new ConcurrentHashMap<>();
  private final LongAdder reconnects = new LongAdder();

  // Strongly held: libvirt calls these from the event loop for as long as the connection lives.
  private final LibvirtEventApi.LifecycleCallback lifecycle = this::onLifecycle;
  private final LibvirtEventApi.AgentLifecycleCallback agentLifecycle = this::onAgentLifecycle;
  private final LibvirtEventApi.CloseCallback closed = this::onClose;

  private volatile LibvirtEventApi api;
  // Confined to the worker thread, except conn, read by the callbacks to drop stale events.
  private volatile Pointer conn;
  private volatile boolean connected;
  private volatile boolean stopping;
  private boolean everConnected;
  private int lifecycleId = -1;
  private int agentId = -1;
  private Duration backoff = FIRST_BACKOFF;
  private String lastFailure = "";

  private LibvirtEvents(String uri, DomainEvents events) {
    this.uri = uri;
    this.events = events;
    this.worker =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "libvirt-events");
              t.setDaemon(true);
              return t;
            });
    worker.setRemoveOnCancelPolicy(true);
  }

  /**
   * Starts listening on {@code uri}; connects in the background (a failure is logged, counted in
   * {@code qga_libvirt_events_connected 0}, and retried with backoff). Never throws.
   */
  public static LibvirtEvents start(String uri, DomainEvents events) {
    LibvirtEvents e = new LibvirtEvents(uri, events);
    e.execute(e::connect);
    return e;
  }

  public DomainEvents domains() {
    return events;
  }

  /** True while the event connection is open and subscribed. */
  public boolean connected() {
    return connected;
  }

  /** Connections opened again after the first one (libvirtd restarted, keepalive timed out). */
  public long reconnects() {
    return reconnects.sum();
  }

  /** Events received since start, by {@link DomainEvents.Kind#label()}. */
  public Map<String, Long> received() {
    Map<String, Long> out = new java.util.TreeMap<>();
    received.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  public String uri() {
    return uri;
  }

  // --- the event loop thread: read, queue, return -------------------------------------------

  private int onLifecycle(Pointer c, Pointer domain, int event, int detail, Pointer opaque) {
    handOff(c, domain, DomainEvents.Kind.lifecycle(event), detail);
    return 0;
  }

  private void onAgentLifecycle(Pointer c, Pointer domain, int state, int reason, Pointer opaque) {
    handOff(c, domain, DomainEvents.Kind.agent(state), reason);
  }

  private void handOff(Pointer c, Pointer domain, DomainEvents.Kind kind, int detail) {
    if (!c.equals(conn)) {
      return; // a connection already dropped
    }
    String name;
    try {
      name = api.virDomainGetName(domain); // local: the name travels with the event
    } catch (RuntimeException e) {
      return;
    }
    if (name == null) {
      return;
    }
    received.computeIfAbsent(kind.label(), k -> new LongAdder()).increment();
    if (!submit(() -> events.on(name, kind, detail)) && overflowed.compareAndSet(false, true)) {
      // events were dropped: one full resync, queued past the bound, covers them all
      execute(this::resyncAfterOverflow);
    }
  }

  private void onClose(Pointer c, int reason, Pointer opaque) {
    execute(() -> dropped(c, closeReason(reason))); // never dropped, whatever is queued
  }

  private static String closeReason(int reason) {
    return switch (reason) {
      case 0 -> "connection error";
      case 1 -> "libvirtd closed the connection";
      case 2 -> "keepalive timed out";
      default -> "closed (reason " + reason + ")";
    };
  }

  /** Queues an event's task unless {@link #MAX_QUEUED} are queued; false when dropped. */
  private boolean submit(Runnable task) {
    if (queued.incrementAndGet() > MAX_QUEUED) {
      queued.decrementAndGet();
      return false;
    }
    execute(
        () -> {
          queued.decrementAndGet();
          task.run();
        });
    return true;
  }

  private void execute(Runnable task) {
    if (stopping) {
      return;
    }
    try {
      worker.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              LOG.log(Level.WARNING, "libvirt events: handling an event failed", e);
            }
          });
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /** After dropped events: the state of every active domain, as on a reconnect. */
  private void resyncAfterOverflow() {
    overflowed.set(false);
    Pointer c = conn;
    Map<String, Boolean> states = c == null ? null : activeDomains(c);
    if (states != null) {
      LOG.warning(
          "libvirt events: more than "
              + MAX_QUEUED
              + " events were waiting; dropped some and resynced "
              + states.size()
              + " active domains");
      events.resync(states);
    }
  }

  // --- the worker thread ----------------------------------------------------------------------

  private void connect() {
    if (stopping || conn != null) {
      return;
    }
    Pointer c;
    try {
      api = LibvirtEventLoop.api();
      c = api.virConnectOpenReadOnly(uri);
    } catch (LinkageError e) {
      retry(
          "cannot load libvirt through JNA (Debian: apt-get install libvirt0; JNA needs a"
              + " writable java.io.tmpdir or -Djna.tmpdir): "
              + e);
      return;
    }
    if (c == null) {
      retry(api.virGetLastErrorMessage());
      return;
    }
    if (api.virConnectSetKeepAlive(c, KEEPALIVE_INTERVAL_SECONDS, KEEPALIVE_COUNT) < 0) {
      LOG.fine(
          () -> "libvirt events: no keepalive on " + uri + ": " + api.virGetLastErrorMessage());
    }
    conn = c;
    if (api.virConnectRegisterCloseCallback(c, closed, null, null) < 0) {
      // only remote connections (libvirtd's socket) have one; a local driver cannot break
      LOG.fine(() -> "libvirt events: no close callback on " + uri + ": " + lastError());
    }
    lifecycleId =
        api.virConnectDomainEventRegisterAny(
            c, null, LibvirtEventApi.VIR_DOMAIN_EVENT_ID_LIFECYCLE, lifecycle, null, null);
    if (lifecycleId < 0) {
      String why = lastError();
      conn = null;
      release(c);
      retry("cannot subscribe to domain events: " + why);
      return;
    }
    agentId =
        api.virConnectDomainEventRegisterAny(
            c,
            null,
            LibvirtEventApi.VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE,
            agentLifecycle,
            null,
            null);
    if (agentId < 0) {
      // libvirt before 1.2.11: agents are found by probing only
      LOG.info(() -> "libvirt events: no agent lifecycle events on " + uri + ": " + lastError());
    }
    Map<String, Boolean> states = activeDomains(c);
    if (states == null) {
      String why = lastError();
      dropped(c, "cannot list domains: " + why);
      return;
    }
    backoff = FIRST_BACKOFF;
    lastFailure = "";
    if (everConnected) {
      reconnects.increment();
      LOG.info(
          () ->
              "libvirt events: connected again to "
                  + uri
                  + ", resynced "
                  + states.size()
                  + " active domains");
    } else {
      LOG.info(() -> "libvirt events: subscribed to domain and agent events on " + uri);
    }
    everConnected = true;
    events.resync(states);
    connected = true; // after the resync: connected means the states are known
  }

  private String lastError() {
    String m = api.virGetLastErrorMessage();
    return m == null ? "unknown error" : m;
  }

  /** Active domains and whether each is paused, or null when libvirt could not list them. */
  private Map<String, Boolean> activeDomains(Pointer c) {
    PointerByReference list = new PointerByReference();
    int n = api.virConnectListAllDomains(c, list, LibvirtEventApi.VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    if (n < 0) {
      return null;
    }
    Map<String, Boolean> out = new HashMap<>();
    Pointer array = list.getValue();
    try {
      Pointer[] domains = n == 0 ? new Pointer[0] : array.getPointerArray(0, n);
      for (Pointer d : domains) {
        try {
          IntByReference state = new IntByReference();
          String name = api.virDomainGetName(d);
          if (name != null
              && out.size() < MAX_DOMAINS
              && api.virDomainGetState(d, state, new IntByReference(), 0) == 0) {
            int s = state.getValue();
            out.put(
                name,
                s == LibvirtEventApi.VIR_DOMAIN_PAUSED
                    || s == LibvirtEventApi.VIR_DOMAIN_PMSUSPENDED);
          }
        } finally {
          api.virDomainFree(d);
        }
      }
    } finally {
      if (array != null) {
        Native.free(Pointer.nativeValue(array));
      }
    }
    return out;
  }

  /** The connection {@code c} is gone: drop it and open a new one after the backoff. */
  private void dropped(Pointer c, String why) {
    if (conn == null || !conn.equals(c)) {
      return;
    }
    conn = null;
    boolean was = connected;
    connected = false;
    release(c);
    if (was) {
      LOG.warning(
          () ->
              "libvirt events: lost the connection to "
                  + uri
                  + " ("
                  + why
                  + "); reconnecting, discovery re-reads every refresh_interval meanwhile");
      lastFailure = why; // said once: the retries log only a different failure
    }
    retry(why);
  }

  /** Deregisters every callback from {@code c} and closes it; errors of a broken one ignored. */
  private void release(Pointer c) {
    try {
      for (int id : new int[] {lifecycleId, agentId}) {
        if (id >= 0) {
          api.virConnectDomainEventDeregisterAny(c, id);
        }
      }
      api.virConnectUnregisterCloseCallback(c, closed);
      api.virConnectClose(c);
    } catch (RuntimeException e) {
      // a broken connection: nothing left to release
    } finally {
      lifecycleId = -1;
      agentId = -1;
    }
  }

  private void retry(String why) {
    if (stopping) {
      return;
    }
    if (!why.equals(lastFailure)) {
      // INFO: a degradation, not a loss (the periodic refresh goes on; qga_libvirt_events_connected
      // says so); discovery warns itself when libvirt cannot be read at all
      LOG.info(
          () ->
              "libvirt events: cannot connect to "
                  + uri
                  + " ("
                  + why
                  + "); retrying, discovery re-reads every refresh_interval meanwhile");
    }
    lastFailure = why;
    Duration wait = backoff;
    backoff =
        backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    try {
      worker.schedule(this::connect, wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /** Stops listening: deregisters and closes the connection; queued events are dropped. */
  @Override
  public void close() {
    stopping = true;
    try {
      worker
          .submit(
              () -> {
                Pointer c = conn;
                conn = null;
                connected = false;
                if (c != null) {
                  release(c);
                }
              })
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.log(Level.FINE, "libvirt events: closing", e);
    }
    worker.shutdownNow();
  }
}
