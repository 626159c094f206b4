package io.qga.sim;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Streams a large reply to one connection in 64 KiB writes, so a 50 MiB reply never exists in
 * memory as a whole.
 */
final class ConnectionOutput extends OutputStream {
  private final AgentServer.Connection connection;
  private final byte[] buffer = new byte[64 * 1024];
  private int used;
  private long written;

  ConnectionOutput(AgentServer.Connection connection) {
    this.connection = connection;
  }

  @Override
  public void write(int b) throws IOException {
    if (used == buffer.length) {
      flush();
    }
    buffer[used++] = (byte) b;
  }

  @Override
  public void write(byte[] bytes, int off, int len) throws IOException {
    while (len > 0) {
      if (used == buffer.length) {
        flush();
      }
      int n = Math.min(len, buffer.length - used);
      System.arraycopy(bytes, off, buffer, used, n);
      used += n;
      off += n;
      len -= n;
    }
  }

  void write(String ascii) throws IOException {
    write(ascii.getBytes(StandardCharsets.US_ASCII));
  }

  /** Writes {@code count} copies of {@code b}. */
  void repeat(int b, long count) throws IOException {
    while (count > 0) {
      if (used == buffer.length) {
        flush();
      }
      int n = (int) Math.min(count, buffer.length - used);
      Arrays.fill(buffer, used, used + n, (byte) b);
      used += n;
      count -= n;
    }
  }

  /** Bytes handed on so far plus those still buffered. */
  long count() {
    return written + used;
  }

  @Override
  public void flush() throws IOException {
    if (Thread.currentThread().isInterrupted()) {
      throw new java.io.InterruptedIOException("agent server closing");
    }
    if (used > 0) {
      connection.sendRaw(Arrays.copyOf(buffer, used));
      written += used;
      used = 0;
    }
  }
}
