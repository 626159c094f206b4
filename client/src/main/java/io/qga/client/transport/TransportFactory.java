package io.qga.client.transport;

import io.qga.client.AgentAddress;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/** Opens transports. The default one uses junixsocket for unix and vsock sockets. */
@FunctionalInterface
public interface TransportFactory {

  /**
   * Connects to {@code address}. A connect proves nothing about the agent (QEMU accepts on the
   * chardev with no agent in the guest); the session syncs next.
   *
   * @throws SocketTimeoutException the connect did not complete within {@code timeout}
   * @throws IOException the address could not be reached (no such socket, refused, no vsock)
   */
  Transport connect(AgentAddress address, Duration timeout) throws IOException;

  /** Unix and vsock sockets through junixsocket. */
  static TransportFactory sockets() {
    return SocketTransport.FACTORY;
  }
}
