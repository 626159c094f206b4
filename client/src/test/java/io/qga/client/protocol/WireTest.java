package io.qga.client.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qga.client.AgentCommand;
import io.qga.client.AgentProtocolException;
import java.io.EOFException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The conversation on plain byte streams: no socket, no agent. */
class WireTest {
  private static final int MAX = 1024;

  private static long deadline() {
    return System.nanoTime() + 5_000_000_000L;
  }

  @Test
  void syncSkipsGarbageBeforeTheSentinel() throws Exception {
    ChunkTransport t =
        new ChunkTransport(false)
            .chunk("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error\"}}\n")
            .chunk("\u00ff{\"return\": 77}\n");
    Wire w = new Wire(t, MAX);
    w.sync(77, deadline());
    assertThat(w.staleLines()).isZero();
    assertThat(t.written.toByteArray()).isEqualTo(ReplyCodec.syncRequest(77));
  }

  @Test
  void syncDiscardsStaleRepliesWithOtherIdsAndIntegerRepliesEqualToNothing() throws Exception {
    ChunkTransport t =
        new ChunkTransport(false)
            .chunk("{\"return\": {}}\n{\"return\": {}}\n")
            // a stale sync of an earlier client, then its other replies
            .chunk("\u00ff{\"return\": 5}\n{\"return\": 1700000000000000000}\n")
            // our sentinel, then a line that is not exactly our sync
            .chunk("\u00ff{\"return\": 99.0}\n{\"return\": \"99\"}\n{\"return\": 98}\n")
            .chunk("{\"return\": 99}\n");
    Wire w = new Wire(t, MAX);
    w.sync(99, deadline());
    assertThat(w.staleLines()).isEqualTo(6);
  }

  @Test
  void syncReplySplitAcrossReads() throws Exception {
    ChunkTransport t = new ChunkTransport(false);
    for (char c : "junk\u00ff{\"return\": 123}\n".toCharArray()) {
      t.chunk(String.valueOf(c));
    }
    t.chunk("{\"return\": {\"host-name\": \"a\"}}\n");
    Wire w = new Wire(t, MAX);
    w.sync(123, deadline());
    Reply r = w.request(AgentCommand.of("guest-get-host-name"), deadline());
    assertThat(((Reply.Return) r).value().get("host-name").asText()).isEqualTo("a");
  }

  @Test
  void syncAndReplyInOneRead() throws Exception {
    ChunkTransport t = new ChunkTransport(false).chunk("\u00ff{\"return\": 1}\n{\"return\": {}}\n");
    Wire w = new Wire(t, MAX);
    w.sync(1, deadline());
    assertThat(w.request(AgentCommand.of("guest-ping"), deadline()))
        .isInstanceOf(Reply.Return.class);
    assertThat(t.reads).isEqualTo(1);
  }

  @Test
  void garbageLinesAfterTheSentinelAreStaleNotFatal() throws Exception {
    ChunkTransport t = new ChunkTransport(false).chunk("\u00ffnot json\n[1]\n{\"return\": 8}\n");
    Wire w = new Wire(t, MAX);
    w.sync(8, deadline());
    assertThat(w.staleLines()).isEqualTo(2);
  }

  @Test
  void syncWithoutAnswerTimesOut() {
    ChunkTransport t = new ChunkTransport(false).chunk("{\"return\": {}}\n");
    Wire w = new Wire(t, MAX);
    assertThatThrownBy(() -> w.sync(1, deadline())).isInstanceOf(SocketTimeoutException.class);
  }

  @Test
  void eofIsReported() {
    ChunkTransport t = new ChunkTransport(true).chunk("\u00ff{\"return\"");
    Wire w = new Wire(t, MAX);
    assertThatThrownBy(() -> w.sync(1, deadline())).isInstanceOf(EOFException.class);
  }

  @Test
  void passedDeadlineTimesOutWithoutReading() {
    ChunkTransport t = new ChunkTransport(false).chunk("\u00ff{\"return\": 1}\n");
    Wire w = new Wire(t, MAX);
    assertThatThrownBy(() -> w.sync(1, System.nanoTime() - 1))
        .isInstanceOf(SocketTimeoutException.class);
    assertThat(t.reads).isZero();
  }

  @Test
  void oversizeReplyIsAProtocolError() throws Exception {
    ChunkTransport t = new ChunkTransport(false).chunk("\u00ff{\"return\": 1}\n");
    t.chunk("{\"return\": \"" + "x".repeat(600)).chunk("y".repeat(600) + "\"}\n");
    Wire w = new Wire(t, MAX);
    w.sync(1, deadline());
    assertThatThrownBy(() -> w.request(AgentCommand.of("guest-get-osinfo"), deadline()))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("exceeds the limit of 1024 bytes");
  }

  @Test
  void deepNestingInAReplyIsAProtocolError() throws Exception {
    String deep = "[".repeat(500) + "]".repeat(500);
    ChunkTransport t =
        new ChunkTransport(false).chunk("\u00ff{\"return\": 1}\n{\"return\": " + deep + "}\n");
    Wire w = new Wire(t, 4096);
    w.sync(1, deadline());
    assertThatThrownBy(() -> w.request(AgentCommand.of("guest-get-disks"), deadline()))
        .isInstanceOf(AgentProtocolException.class);
  }

  @Test
  void requestWritesTheCommand() throws Exception {
    ChunkTransport t = new ChunkTransport(false).chunk("{\"return\": 5}\n");
    Wire w = new Wire(t, MAX);
    Reply r = w.request(AgentCommand.of("guest-fsfreeze-thaw"), deadline());
    assertThat(((Reply.Return) r).value().asLong()).isEqualTo(5);
    assertThat(t.written.toString(StandardCharsets.UTF_8))
        .isEqualTo("{\"execute\":\"guest-fsfreeze-thaw\"}\n");
  }
}
