package io.qga.client.transport;

import io.qga.client.AgentAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.newsclub.net.unix.AFSocket;
import org.newsclub.net.unix.AFSocketCapability;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFVSOCKSocketAddress;

/**
 * A unix or vsock stream socket through junixsocket. Reads are bounded by {@code SO_TIMEOUT};
 * connects and writes, which a socket timeout does not bound, by a watchdog that closes the socket
 * when they overrun (a full listen backlog, a peer that stopped reading).
 */
final class SocketTransport implements Transport {
  /**
   * Connects and writes in flight, each with its deadline. One daemon thread looks at them every
   * {@link #WATCHDOG_TICK}: guarding a write is a put and a remove on this set, so the usual write
   * (a hundred bytes into an empty socket buffer) wakes no thread. A scheduled task per write cost
   * a wakeup each, 4 % of the exporter's CPU at a thousand domains.
   */
  private static final Set<Guard> IN_FLIGHT = ConcurrentHashMap.newKeySet();

  static final Duration WATCHDOG_TICK = Duration.ofMillis(50);

  /** {@link TransportFactory#sockets()}: one instance, so that a session can tell it is in use. */
  static final TransportFactory FACTORY = SocketTransport::connect;

  static {
    Thread t = new Thread(SocketTransport::watchdog, "qga-transport-watchdog");
    t.setDaemon(true);
    t.start();
  }

  /** A connect or write that is cut (the socket closed) if it is still running at deadline. */
  private static final class Guard implements AutoCloseable {
    final AFSocket<?> socket;
    final long deadline;
    volatile boolean fired;

    Guard(AFSocket<?> socket, Duration timeout) {
      this.socket = socket;
      this.deadline = System.nanoTime() + Math.max(1, timeout.toNanos());
      IN_FLIGHT.add(this);
    }

    @Override
    public void close() {
      IN_FLIGHT.remove(this);
    }
  }

  private static void watchdog() {
    while (true) {
      try {
        Thread.sleep(WATCHDOG_TICK.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      for (Guard g : IN_FLIGHT) {
        if (now - g.deadline >= 0) {
          g.fired = true;
          closeQuietly(g.socket);
          IN_FLIGHT.remove(g);
        }
      }
    }
  }

  private final AFSocket<?> socket;
  private final InputStream in;
  private final OutputStream out;
  private final String description;

  private SocketTransport(AFSocket<?> socket, String description) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.description = description;
  }

  static Transport connect(AgentAddress address, Duration timeout) throws IOException {
    AFSocket<?> socket;
    SocketAddress target;
    if (address instanceof AgentAddress.Unix unix) {
      socket = AFUNIXSocket.newInstance();
      target = AFUNIXSocketAddress.of(unix.path());
    } else if (address instanceof AgentAddress.Vsock vsock) {
      if (!AFSocket.supports(AFSocketCapability.CAPABILITY_VSOCK)) {
        throw new IOException("vsock is not supported on this host (junixsocket)");
      }
      target = AFVSOCKSocketAddress.ofPortAndCID(vsock.port(), vsock.cid());
      try {
        socket = AFVSOCKSocketAddress.addressFamily().newSocket();
      } catch (UnsupportedOperationException
          | java.nio.channels.UnsupportedAddressTypeException e) {
        // The socket class lives in junixsocket-vsock, which is not published for 2.10.1.
        throw new IOException(
            "cannot open a vsock socket to "
                + address
                + ": this build's junixsocket has vsock addresses but no vsock socket support",
            e);
      }
    } else {
      throw new IOException("unknown address type: " + address);
    }
    // Cutting a write kills the connection (and makes qemu-ga in unix-listen mode exit), so a
    // write that merely started late gets a short grace; one that truly blocks is still cut.
    Duration guardTime = timeout.compareTo(MIN_WRITE_GUARD) < 0 ? MIN_WRITE_GUARD : timeout;
    Guard guard = new Guard(socket, guardTime);
    try {
      socket.connect(target, millis(timeout));
    } catch (IOException e) {
      closeQuietly(socket);
      if (guard.fired) {
        throw timeout("connect to " + address, timeout, e);
      }
      throw e;
    } finally {
      guard.close();
    }
    if (guard.fired) {
      closeQuietly(socket);
      throw timeout("connect to " + address, timeout, null);
    }
    try {
      return new SocketTransport(socket, address.toString());
    } catch (IOException e) {
      closeQuietly(socket);
      throw e;
    }
  }

  @Override
  public int read(byte[] buffer, int offset, int length, Duration timeout) throws IOException {
    if (timeout.isZero() || timeout.isNegative()) {
      throw new SocketTimeoutException("read deadline already passed on " + description);
    }
    socket.setSoTimeout(millis(timeout));
    int n = in.read(buffer, offset, length);
    return n == 0 ? -1 : n;
  }

  @Override
  public void write(byte[] bytes, Duration timeout) throws IOException {
    if (timeout.isZero() || timeout.isNegative()) {
      throw new SocketTimeoutException("write deadline already passed on " + description);
    }
    // Cutting a write kills the connection (and makes qemu-ga in unix-listen mode exit), so a
    // write that merely started late gets a short grace; one that truly blocks is still cut.
    Duration guardTime = timeout.compareTo(MIN_WRITE_GUARD) < 0 ? MIN_WRITE_GUARD : timeout;
    Guard guard = new Guard(socket, guardTime);
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      if (guard.fired) {
        throw timeout("write to " + description, timeout, e);
      }
      throw e;
    } finally {
      guard.close();
    }
  }

  @Override
  public boolean isOpen() {
    return !socket.isClosed();
  }

  @Override
  public void close() {
    closeQuietly(socket);
  }

  @Override
  public String toString() {
    return description;
  }

  /** The least time a write gets before the watchdog closes the socket. */
  static final Duration MIN_WRITE_GUARD = Duration.ofMillis(250);

  /** Rounds up, so a deadline of 0.4 ms still waits; at least 1 ms (0 would mean forever). */
  static int millis(Duration timeout) {
    long ms = (timeout.toNanos() + 999_999) / 1_000_000;
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
  }

  private static SocketTimeoutException timeout(String what, Duration timeout, Exception cause) {
    SocketTimeoutException e =
        new SocketTimeoutException(what + " did not complete within " + timeout.toMillis() + " ms");
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  private static void closeQuietly(AFSocket<?> socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
