package io.qga.client.transport;

import io.qga.client.AgentAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.newsclub.net.unix.AFSocket;
import org.newsclub.net.unix.AFSocketCapability;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFVSOCKSocketAddress;

/**
 * A unix or vsock stream socket through junixsocket. Reads are bounded by {@code SO_TIMEOUT};
 * connects and writes, which a socket timeout does not bound, by a watchdog that closes the
 * socket when they overrun (a full listen backlog, a peer that stopped reading).
 */
final class SocketTransport implements Transport {
  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "qga-transport-watchdog");
            t.setDaemon(true);
            return t;
          });

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
      } catch (UnsupportedOperationException | java.nio.channels.UnsupportedAddressTypeException e) {
        // The socket class lives in junixsocket-vsock, which is not published for 2.10.1.
        throw new IOException(
            "cannot open a vsock socket to " + address
                + ": this build's junixsocket has vsock addresses but no vsock socket support",
            e);
      }
    } else {
      throw new IOException("unknown address type: " + address);
    }
    AtomicBoolean fired = new AtomicBoolean();
    // Cutting a write kills the connection (and makes qemu-ga in unix-listen mode exit), so a
    // write that merely started late gets a short grace; one that truly blocks is still cut.
    Duration guardTime = timeout.compareTo(MIN_WRITE_GUARD) < 0 ? MIN_WRITE_GUARD : timeout;
    ScheduledFuture<?> guard = watch(socket, guardTime, fired);
    try {
      socket.connect(target, millis(timeout));
    } catch (IOException e) {
      closeQuietly(socket);
      if (fired.get()) {
        throw timeout("connect to " + address, timeout, e);
      }
      throw e;
    } finally {
      guard.cancel(false);
    }
    if (fired.get()) {
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
    AtomicBoolean fired = new AtomicBoolean();
    // Cutting a write kills the connection (and makes qemu-ga in unix-listen mode exit), so a
    // write that merely started late gets a short grace; one that truly blocks is still cut.
    Duration guardTime = timeout.compareTo(MIN_WRITE_GUARD) < 0 ? MIN_WRITE_GUARD : timeout;
    ScheduledFuture<?> guard = watch(socket, guardTime, fired);
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      if (fired.get()) {
        throw timeout("write to " + description, timeout, e);
      }
      throw e;
    } finally {
      guard.cancel(false);
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

  private static ScheduledFuture<?> watch(AFSocket<?> socket, Duration timeout, AtomicBoolean fired) {
    return WATCHDOG.schedule(
        () -> {
          fired.set(true);
          closeQuietly(socket);
        },
        Math.max(1, timeout.toNanos()),
        TimeUnit.NANOSECONDS);
  }

  /** Rounds up, so a deadline of 0.4 ms still waits; at least 1 ms (0 would mean forever). */
  /** The least time a write gets before the watchdog closes the socket. */
  static final Duration MIN_WRITE_GUARD = Duration.ofMillis(250);

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
