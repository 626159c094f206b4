package io.qga.client.protocol;

import io.qga.client.AgentProtocolException;
import io.qga.client.transport.Transport;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;

/**
 * Byte-level framing of the agent's output: replies end with {@code \n}; a raw {@code 0xFF} (the
 * agent writes pure ASCII otherwise) can only be the sync sentinel. Fed with whatever the socket
 * delivers: partial lines, several lines, a line split anywhere. Never holds more than one line of
 * at most {@code maxLine} bytes plus the last chunk fed.
 *
 * <p>Reads go into the reading thread's buffer ({@link #SCRATCH}) while nothing is pending, so the
 * usual reply (one read, one whole line) allocates only the line it returns; bytes still pending
 * when the caller is done ({@link #detach}) move into a buffer of the framer's own.
 */
final class LineFramer {
  private static final byte NEWLINE = '\n';
  private static final byte SENTINEL = (byte) 0xFF;

  /**
   * Room for one read: most replies fit whole. A drained framer holds no buffer at all (see {@link
   * #release}): a thousand idle connections would otherwise keep 8 MiB of heap.
   */
  static final int READ_CHUNK = 8192;

  private static final byte[] NONE = new byte[0];

  /**
   * The buffer reads go into while nothing is pending, one per reading thread: a buffer per read
   * was ~37 KB of garbage per command (8 KiB, doubled for longer replies).
   */
  static final int SCRATCH_BYTES = 16 * 1024;

  private static final ThreadLocal<byte[]> SCRATCH =
      ThreadLocal.withInitial(() -> new byte[SCRATCH_BYTES]);

  private final int maxLine;
  private byte[] buf = NONE;

  /** {@link #buf} is the reading thread's {@link #SCRATCH}, not the framer's own. */
  private boolean borrowed;

  private int start;
  private int end;

  /** Bytes in [start, scanned) hold neither a newline nor a sentinel. */
  private int scanned;

  private long discardedBytes;
  private long discardedLines;

  LineFramer(int maxLine) {
    this.maxLine = maxLine;
  }

  void feed(byte[] bytes, int offset, int length) {
    makeRoom(length);
    System.arraycopy(bytes, offset, buf, end, length);
    end += length;
  }

  /**
   * Reads what the transport has, waiting up to {@code timeout}, straight into the buffer.
   *
   * @return bytes read, or -1 at the end of the stream
   */
  int readFrom(Transport transport, Duration timeout) throws IOException {
    if (start == end) {
      buf = SCRATCH.get();
      borrowed = true;
      start = 0;
      end = 0;
      scanned = 0;
    } else {
      makeRoom(READ_CHUNK);
    }
    int n = transport.read(buf, end, buf.length - end, timeout);
    if (n > 0) {
      end += n;
    }
    return n;
  }

  private void makeRoom(int length) {
    if (borrowed) {
      own(length);
      return;
    }
    if (end + length <= buf.length) {
      return;
    }
    int pending = end - start;
    if (pending + length > buf.length) {
      byte[] bigger = new byte[Math.max(Math.max(buf.length * 2, READ_CHUNK), pending + length)];
      System.arraycopy(buf, start, bigger, 0, pending);
      buf = bigger;
    } else {
      System.arraycopy(buf, start, buf, 0, pending);
    }
    scanned -= start;
    start = 0;
    end = pending;
  }

  /** Moves the pending bytes out of the thread's buffer into one of this framer's own. */
  private void own(int room) {
    int pending = end - start;
    byte[] mine = new byte[Math.max(READ_CHUNK, pending + room)];
    System.arraycopy(buf, start, mine, 0, pending);
    buf = mine;
    borrowed = false;
    scanned -= start;
    start = 0;
    end = pending;
  }

  /**
   * Gives the reading thread's buffer back: bytes still pending move to a buffer of the framer's
   * own. The caller calls it before it stops reading, since the thread's next read, for any framer,
   * reuses that buffer.
   */
  void detach() {
    if (!borrowed) {
      return;
    }
    if (start == end) {
      release();
    } else {
      own(0);
    }
  }

  /**
   * Discards everything up to and including the next sentinel.
   *
   * @return true when a sentinel was found; false when everything fed so far was discarded
   */
  boolean skipToSentinel() {
    for (int i = start; i < end; i++) {
      if (buf[i] == NEWLINE) {
        discardedLines++;
      }
      if (buf[i] == SENTINEL) {
        discardedBytes += i - start;
        start = i + 1;
        scanned = start;
        return true;
      }
    }
    discardedBytes += end - start;
    start = end;
    scanned = end;
    return false;
  }

  /**
   * The next complete, non-blank line without its newline, or null until one is complete. A
   * sentinel in line mode starts a fresh message: the partial line before it is dropped.
   *
   * @throws AgentProtocolException when the pending line grew past {@code maxLine} bytes
   */
  byte[] nextLine() {
    while (true) {
      int i = scanned;
      while (i < end && buf[i] != NEWLINE && buf[i] != SENTINEL) {
        i++;
      }
      if (i == end) {
        scanned = end;
        if (end - start > maxLine) {
          int pending = end - start;
          discardedBytes += pending;
          start = end;
          scanned = end;
          release();
          throw new AgentProtocolException(
              "reply line exceeds the limit of "
                  + maxLine
                  + " bytes ("
                  + pending
                  + " bytes without a newline)");
        }
        return null;
      }
      if (buf[i] == SENTINEL) {
        discardedBytes += i - start;
        start = i + 1;
        scanned = start;
        continue;
      }
      int lineStart = start;
      int lineEnd = i;
      start = i + 1;
      scanned = start;
      if (lineEnd - lineStart > maxLine) {
        discardedBytes += lineEnd - lineStart;
        release();
        throw new AgentProtocolException(
            "reply line of "
                + (lineEnd - lineStart)
                + " bytes exceeds the limit of "
                + maxLine
                + " bytes");
      }
      if (isBlank(lineStart, lineEnd)) {
        continue;
      }
      byte[] line = Arrays.copyOfRange(buf, lineStart, lineEnd);
      release();
      return line;
    }
  }

  /**
   * Drops the buffer once nothing is pending: one request is in flight per connection, so after its
   * reply the connection is idle until the next poll, and holds nothing; a guest that sent 10 MiB
   * once keeps nothing of it either.
   */
  private void release() {
    if (start == end) {
      buf = NONE;
      borrowed = false;
      start = 0;
      end = 0;
      scanned = 0;
    }
  }

  /** Bytes of buffer of its own held now. */
  int capacity() {
    return borrowed ? 0 : buf.length;
  }

  /** Bytes fed but not yet returned as a line. */
  int pending() {
    return end - start;
  }

  /** Bytes thrown away: garbage before a sentinel, partial lines cut by one, oversize lines. */
  long discardedBytes() {
    return discardedBytes;
  }

  /** Complete lines thrown away by {@link #skipToSentinel()}. */
  long discardedLines() {
    return discardedLines;
  }

  void clear() {
    start = 0;
    end = 0;
    scanned = 0;
    buf = NONE;
    borrowed = false;
  }

  private boolean isBlank(int from, int to) {
    for (int i = from; i < to; i++) {
      byte b = buf[i];
      if (b != ' ' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }
}
