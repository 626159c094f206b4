package io.qga.sim;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One simulated guest reachable on a unix socket, as QEMU exposes a guest agent channel: the {@link
 * SimulatedGuest} behind an {@link AgentServer}. Besides what the guest does, the channel itself
 * can go away and come back: the domain stops (socket removed) or migrates (socket removed and
 * created again), or the guest powers off after guest-shutdown and is powered on by the test.
 */
public final class SimulatedAgent implements Closeable {
  private final Path socket;
  private final SimulatedGuest guest;
  private AgentServer server; // null while the channel is gone; guarded by "this"
  private int earlierConnections;
  private boolean closed;

  private SimulatedAgent(Path socket, SimulatedGuest guest) throws IOException {
    this.socket = socket;
    this.guest = guest;
    guest.onPowerOff(this::channelGone);
    this.server = AgentServer.start(socket, guest);
  }

  /** Serves {@code guest} on {@code socket} (a stale file there is replaced). */
  public static SimulatedAgent start(Path socket, SimulatedGuest guest) throws IOException {
    return new SimulatedAgent(socket, guest);
  }

  public String domain() {
    return guest.domain();
  }

  public Path socket() {
    return socket;
  }

  public SimulatedGuest guest() {
    return guest;
  }

  /** True while the socket exists and accepts connections. */
  public synchronized boolean listening() {
    return server != null && server.isOpen();
  }

  /** Clients accepted over the agent's whole life, across migrations and power cycles. */
  public synchronized int connectionsAccepted() {
    return earlierConnections + (server == null ? 0 : server.connectionsAccepted());
  }

  /** The channel goes away: open connections are closed and the socket file removed. */
  public void removeChannel() {
    channelGone();
  }

  /** The channel comes back (a no-op while it exists). */
  public synchronized void restoreChannel() {
    if (closed) {
      throw new IllegalStateException("agent " + domain() + " is closed");
    }
    if (server != null && server.isOpen()) {
      return;
    }
    if (server != null) {
      earlierConnections += server.connectionsAccepted();
    }
    try {
      server = AgentServer.start(socket, guest);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot re-create agent socket " + socket, e);
    }
  }

  /**
   * A migration as the host sees it: the socket disappears and a new one appears at the same path;
   * the guest, its clock and freeze state stay as they were.
   */
  public synchronized void migrate() {
    removeChannel();
    restoreChannel();
  }

  /** Boots a guest that was shut down (or is running) and re-creates its channel. */
  public synchronized void powerOn() {
    guest.powerOn();
    restoreChannel();
  }

  // Not under the lock while closing: a guest powering off calls this on the server's own thread.
  private void channelGone() {
    AgentServer current;
    synchronized (this) {
      current = server;
    }
    if (current != null) {
      current.close();
    }
  }

  /** Stops serving and removes the socket file. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    channelGone();
    try {
      Files.deleteIfExists(socket);
    } catch (IOException ignored) {
      // best effort, as AgentServer.close
    }
  }
}
