package io.qga.client.protocol;

import io.qga.client.transport.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/** A transport over a fixed list of chunks, each delivered by one read; then EOF or a timeout. */
final class ChunkTransport implements Transport {
  private final Deque<byte[]> chunks = new ArrayDeque<>();
  private final boolean eofAtEnd;
  final ByteArrayOutputStream written = new ByteArrayOutputStream();
  int reads;
  boolean closed;

  ChunkTransport(boolean eofAtEnd) {
    this.eofAtEnd = eofAtEnd;
  }

  ChunkTransport chunk(String text) {
    return chunk(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  ChunkTransport chunk(byte[] bytes) {
    chunks.add(bytes);
    return this;
  }

  /** A chunk with {@code 0xFF} wherever the text has U+00FF (ÿ). */
  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Override
  public int read(byte[] buffer, int offset, int length, Duration timeout) throws IOException {
    reads++;
    byte[] next = chunks.poll();
    if (next == null) {
      if (eofAtEnd) {
        return -1;
      }
      throw new SocketTimeoutException("no more chunks");
    }
    int n = Math.min(length, next.length);
    System.arraycopy(next, 0, buffer, offset, n);
    if (n < next.length) {
      byte[] rest = new byte[next.length - n];
      System.arraycopy(next, n, rest, 0, rest.length);
      chunks.addFirst(rest);
    }
    return n;
  }

  @Override
  public void write(byte[] bytes, Duration timeout) {
    written.writeBytes(bytes);
  }

  @Override
  public void close() {
    closed = true;
  }
}
