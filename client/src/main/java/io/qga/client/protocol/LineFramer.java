package io.qga.client.protocol;

import io.qga.client.AgentProtocolException;
import java.util.Arrays;

/**
 * Byte-level framing of the agent's output: replies end with {@code \n}; a raw {@code 0xFF}
 * (the agent writes pure ASCII otherwise) can only be the sync sentinel. Fed with whatever the
 * socket delivers: partial lines, several lines, a line split anywhere. Never holds more than
 * one line of at most {@code maxLine} bytes plus the last chunk fed.
 */
final class LineFramer {
  private static final byte NEWLINE = '\n';
  private static final byte SENTINEL = (byte) 0xFF;

  /** A buffer grown by a big reply goes back to this size once drained (see {@link #shrink}). */
  private static final int INITIAL = 8192;

  private final int maxLine;
  private byte[] buf = new byte[INITIAL];
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
    if (end + length > buf.length) {
      int pending = end - start;
      if (pending + length > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pending + length));
      }
      System.arraycopy(buf, start, buf, 0, pending);
      scanned -= start;
      start = 0;
      end = pending;
    }
    System.arraycopy(bytes, offset, buf, end, length);
    end += length;
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
          shrink();
          throw new AgentProtocolException(
              "reply line exceeds the limit of " + maxLine + " bytes (" + pending
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
        shrink();
        throw new AgentProtocolException(
            "reply line of " + (lineEnd - lineStart) + " bytes exceeds the limit of " + maxLine
                + " bytes");
      }
      if (isBlank(lineStart, lineEnd)) {
        continue;
      }
      byte[] line = Arrays.copyOfRange(buf, lineStart, lineEnd);
      shrink();
      return line;
    }
  }

  /**
   * Drops a buffer that one big reply grew, once nothing is pending: a guest that sent 10 MiB
   * once must not keep 10 MiB (or more) of the exporter's heap for as long as its connection
   * lives.
   */
  private void shrink() {
    if (buf.length > INITIAL && start == end) {
      buf = new byte[INITIAL];
      start = 0;
      end = 0;
      scanned = 0;
    }
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
