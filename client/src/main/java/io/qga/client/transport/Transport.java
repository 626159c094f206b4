package io.qga.client.transport;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A connected byte stream to one agent channel. Every call is bounded: reads by their timeout,
 * writes by theirs. Used by one thread at a time (the session's lock holder), except {@link
 * #close()}, which any thread may call to abort a blocked read or write.
 */
public interface Transport extends Closeable {

  /**
   * Reads what is available, waiting at most {@code timeout}.
   *
   * @return the number of bytes read (at least 1), or -1 at end of stream
   * @throws SocketTimeoutException nothing arrived within {@code timeout}
   * @throws IOException the connection broke
   */
  int read(byte[] buffer, int offset, int length, Duration timeout) throws IOException;

  /**
   * Writes all of {@code bytes}. A write still blocked after {@code timeout} (the peer stopped
   * reading) closes the transport and throws {@link SocketTimeoutException}.
   */
  void write(byte[] bytes, Duration timeout) throws IOException;

  /** False once closed, by {@link #close()} or by a watchdog that cut an overrunning write. */
  default boolean isOpen() {
    return true;
  }

  /** Closes the connection. Never throws; idempotent. */
  @Override
  void close();
}
