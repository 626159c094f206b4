package io.qga.exporter.discovery;

import io.qga.client.AgentChannel;
import io.qga.client.AgentConnectionException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * One long-lived libvirt connection shared by every libvirt-routed domain. Connects lazily on first
 * use (so a missing native library only matters when a libvirt route is used), and after a broken
 * connection reconnects on the next use, no sooner than a backoff (1 s doubling to 1 min) after the
 * last failed attempt. Only (re)connecting takes this object's lock; agent commands run outside it,
 * so a slow guest never delays another domain.
 */
public final class LibvirtConnection implements AutoCloseable {
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

  /** Opens a backend; the real one is {@link JnaLibvirt}. */
  interface Opener {
    LibvirtBackend open(String uri) throws LibvirtFailure;
  }

  private final String uri;
  private final Opener opener;
  private final LongSupplier nanoTime;
  private final java.util.concurrent.ConcurrentHashMap<String, AgentChannel> channels =
      new java.util.concurrent.ConcurrentHashMap<>();
  private LibvirtBackend backend;
  private long nextAttempt;
  private Duration backoff = FIRST_BACKOFF;
  private String lastFailure = "";
  private boolean closed;

  LibvirtConnection(String uri, Opener opener, LongSupplier nanoTime) {
    this.uri = uri;
    this.opener = opener;
    this.nanoTime = nanoTime;
    this.nextAttempt = nanoTime.getAsLong();
  }

  /** A connection to {@code uri} (e.g. {@code qemu:///system}); connects on first use. */
  public static LibvirtConnection open(String uri) {
    return new LibvirtConnection(uri, JnaLibvirt::new, System::nanoTime);
  }

  /** The agent channel of one domain, looked up by name. */
  public AgentChannel channelFor(String domainName) {
    return channelFor(domainName, Optional.empty());
  }

  /**
   * The agent channel of one domain, looked up by UUID when given (survives a rename), else name.
   * The same domain always gets the same channel, so its commands stay one at a time however many
   * callers (poller, policy engine, API) ask for it.
   */
  public AgentChannel channelFor(String domainName, Optional<String> uuid) {
    return channels.computeIfAbsent(
        domainName + "\n" + uuid.orElse(""), k -> new LibvirtAgentChannel(this, domainName, uuid));
  }

  /** Drops the cached channel of a domain that is gone (stopped, migrated away). */
  public void forget(String domainName, Optional<String> uuid) {
    channels.remove(domainName + "\n" + uuid.orElse(""));
    channels.remove("typed\n" + domainName + "\n" + uuid.orElse(""));
  }

  /**
   * The agent channel for a discovered libvirt route: raw commands ({@link LibvirtAgentChannel})
   * when the route allows them, else libvirt's typed calls only ({@link LibvirtTypedChannel}).
   */
  public AgentChannel channelFor(Route.Libvirt route) {
    if (route.raw()) {
      return channelFor(route.domainName(), route.uuid());
    }
    return channels.computeIfAbsent(
        "typed\n" + route.domainName() + "\n" + route.uuid().orElse(""),
        k -> new LibvirtTypedChannel(this, route.domainName(), route.uuid()));
  }

  public String uri() {
    return uri;
  }

  /** The connected backend, connecting first when needed. */
  synchronized LibvirtBackend backend() {
    if (closed) {
      throw new AgentConnectionException("libvirt connection " + uri + " is closed");
    }
    if (backend != null) {
      return backend;
    }
    long now = nanoTime.getAsLong();
    if (now - nextAttempt < 0) {
      throw new AgentConnectionException(
          "libvirt "
              + uri
              + " is not connected ("
              + lastFailure
              + "); next attempt in "
              + Duration.ofNanos(nextAttempt - now).toMillis()
              + " ms");
    }
    try {
      backend = opener.open(uri);
      backoff = FIRST_BACKOFF;
      lastFailure = "";
      return backend;
    } catch (LibvirtFailure e) {
      failed(now, e.getMessage());
      throw new AgentConnectionException(
          "cannot connect to libvirt " + uri + ": " + e.getMessage(), e);
    } catch (LinkageError e) {
      failed(now, e.toString());
      throw new AgentConnectionException(
          "libvirt route needs the native libvirt library and JNA (Debian: apt-get install"
              + " libvirt0): "
              + e,
          e);
    }
  }

  private void failed(long now, String why) {
    lastFailure = why;
    nextAttempt = now + backoff.toNanos();
    backoff =
        backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
  }

  /** The backend broke (libvirtd restarted): drop it; the next use reconnects. */
  void broken(LibvirtBackend broken, String why) {
    LibvirtBackend toClose = null;
    synchronized (this) {
      if (backend == broken) {
        toClose = backend;
        backend = null;
        lastFailure = why;
      }
    }
    if (toClose != null) {
      toClose.close();
    }
  }

  @Override
  public void close() {
    LibvirtBackend toClose;
    synchronized (this) {
      closed = true;
      toClose = backend;
      backend = null;
    }
    if (toClose != null) {
      toClose.close();
    }
  }
}
