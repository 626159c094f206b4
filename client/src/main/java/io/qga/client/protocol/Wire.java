package io.qga.client.protocol;

import io.qga.client.AgentCommand;
import io.qga.client.AgentProtocolException;
import io.qga.client.transport.Transport;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * The conversation on one connection: sync, request, reply, with every wait bounded by an absolute
 * deadline ({@link System#nanoTime()}). Not thread-safe: the session's lock holder uses it.
 *
 * <p>Timeouts surface as {@link SocketTimeoutException}, a closed peer as {@link EOFException}, bad
 * bytes as {@link AgentProtocolException}.
 */
final class Wire {
  private final Transport transport;
  private final LineFramer framer;
  private long staleLines;

  Wire(Transport transport, int maxReplyBytes) {
    this.transport = transport;
    this.framer = new LineFramer(maxReplyBytes);
  }

  Transport transport() {
    return transport;
  }

  /**
   * Lines thrown away while syncing: replies to earlier requests or clients, not counting the
   * agent's answer to the sync's own {@code 0xFF}.
   */
  long staleLines() {
    return staleLines;
  }

  long discardedBytes() {
    return framer.discardedBytes();
  }

  /**
   * {@code 0xFF} + {@code guest-sync-delimited {"id": id}}, then: discard everything up to the
   * agent's {@code 0xFF}, then every line until one is exactly {@code {"return": id}}.
   */
  void sync(long id, long deadline) throws IOException {
    transport.write(ReplyCodec.syncRequest(id), remaining(deadline, "guest-sync-delimited"));
    framer.clear();
    try {
      awaitSync(id, deadline);
    } finally {
      framer.detach();
    }
  }

  private void awaitSync(long id, long deadline) throws IOException {
    long linesBefore = framer.discardedLines();
    while (!framer.skipToSentinel()) {
      fill(deadline);
    }
    // Lines before the sentinel are stale, except the agent's answer to our own 0xFF.
    staleLines += Math.max(0, framer.discardedLines() - linesBefore - 1);
    while (true) {
      byte[] line = nextLine(deadline);
      Reply reply;
      try {
        reply = ReplyCodec.parse(line);
      } catch (AgentProtocolException e) {
        staleLines++;
        continue;
      }
      if (reply instanceof Reply.Return r && r.isSync(id)) {
        return;
      }
      staleLines++;
    }
  }

  /** Sends a request without waiting for anything. */
  void send(AgentCommand command, long deadline) throws IOException {
    transport.write(ReplyCodec.encode(command), remaining(deadline, command.name()));
  }

  /** Sends a request and reads its reply (the next line: the channel was synced before). */
  Reply request(AgentCommand command, long deadline) throws IOException {
    send(command, deadline);
    return ReplyCodec.parse(readLine(deadline));
  }

  /** The next reply line; waits until the deadline. */
  byte[] readLine(long deadline) throws IOException {
    try {
      return nextLine(deadline);
    } finally {
      framer.detach();
    }
  }

  private byte[] nextLine(long deadline) throws IOException {
    while (true) {
      byte[] line = framer.nextLine();
      if (line != null) {
        return line;
      }
      fill(deadline);
    }
  }

  private void fill(long deadline) throws IOException {
    // Into the thread's buffer while nothing is pending: an idle connection holds none.
    if (framer.readFrom(transport, remaining(deadline, "reply")) < 0) {
      throw new EOFException("the agent channel was closed by the other side");
    }
  }

  private static Duration remaining(long deadline, String what) throws SocketTimeoutException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new SocketTimeoutException("deadline passed waiting for " + what);
    }
    return Duration.ofNanos(left);
  }
}
