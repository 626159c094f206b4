package io.qga.client.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qga.client.AgentProtocolException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineFramerTest {

  private static void feed(LineFramer f, String text) {
    byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
    f.feed(b, 0, b.length);
  }

  private static String line(LineFramer f) {
    byte[] l = f.nextLine();
    return l == null ? null : new String(l, StandardCharsets.ISO_8859_1);
  }

  @Test
  void partialLineWaitsForItsNewline() {
    LineFramer f = new LineFramer(1024);
    feed(f, "{\"return\": ");
    assertThat(line(f)).isNull();
    feed(f, "{}}");
    assertThat(line(f)).isNull();
    feed(f, "\n");
    assertThat(line(f)).isEqualTo("{\"return\": {}}");
    assertThat(line(f)).isNull();
  }

  @Test
  void severalLinesInOneChunk() {
    LineFramer f = new LineFramer(1024);
    feed(f, "{\"return\": 1}\n{\"return\": 2}\n{\"ret");
    assertThat(line(f)).isEqualTo("{\"return\": 1}");
    assertThat(line(f)).isEqualTo("{\"return\": 2}");
    assertThat(line(f)).isNull();
    assertThat(f.pending()).isEqualTo(5);
  }

  @Test
  void skipsToSentinelDiscardingGarbage() {
    LineFramer f = new LineFramer(1024);
    feed(f, "garbage {\"return\": {}}\n half");
    assertThat(f.skipToSentinel()).isFalse();
    assertThat(f.pending()).isZero();
    feed(f, "more\u00ff{\"return\": 7}\n");
    assertThat(f.skipToSentinel()).isTrue();
    assertThat(line(f)).isEqualTo("{\"return\": 7}");
    assertThat(f.discardedBytes()).isEqualTo(28 + 4);
  }

  @Test
  void sentinelInLineModeDropsThePartialLineBeforeIt() {
    LineFramer f = new LineFramer(1024);
    feed(f, "{\"ret\u00ff{\"return\": 3}\n");
    assertThat(line(f)).isEqualTo("{\"return\": 3}");
  }

  @Test
  void blankLinesAreSkipped() {
    LineFramer f = new LineFramer(1024);
    feed(f, "\n\r\n  \n{\"return\": {}}\n");
    assertThat(line(f)).isEqualTo("{\"return\": {}}");
  }

  @Test
  void lineLongerThanTheLimitWithoutNewlineIsAProtocolError() {
    LineFramer f = new LineFramer(16);
    feed(f, "{\"return\": \"0123");
    assertThat(line(f)).isNull();
    feed(f, "456789\"}");
    assertThatThrownBy(() -> f.nextLine())
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("exceeds the limit of 16 bytes");
    assertThat(f.pending()).isZero();
  }

  @Test
  void completeLineLongerThanTheLimitIsAProtocolError() {
    LineFramer f = new LineFramer(8);
    feed(f, "{\"return\": {}}\n{\"return\": 1}\n");
    assertThatThrownBy(() -> f.nextLine()).isInstanceOf(AgentProtocolException.class);
  }

  @Test
  void lineOfExactlyTheLimitPasses() {
    LineFramer f = new LineFramer(13);
    feed(f, "{\"return\": 1}\n");
    assertThat(line(f)).isEqualTo("{\"return\": 1}");
  }

  @Test
  void bufferIsCompactedSoItDoesNotGrowWithTraffic() {
    LineFramer f = new LineFramer(64);
    for (int i = 0; i < 100_000; i++) {
      feed(f, "{\"return\": " + i + "}\n");
      assertThat(line(f)).isEqualTo("{\"return\": " + i + "}");
    }
    assertThat(f.pending()).isZero();
  }

  @Test
  void anIdleFramerHoldsNoBuffer() {
    LineFramer f = new LineFramer(1 << 20);
    feed(f, "{\"return\": ");
    assertThat(line(f)).isNull();
    assertThat(f.capacity()).isPositive(); // a partial reply is kept
    feed(f, "x".repeat(100_000) + "}\n");
    assertThat(line(f)).startsWith("{\"return\": xxx");
    assertThat(f.capacity()).as("after the reply, nothing pending").isZero();
  }

  @Test
  void aWholeReplyReadIntoTheThreadsBufferLeavesTheFramerNoBuffer() throws Exception {
    LineFramer f = new LineFramer(1 << 20);
    ChunkTransport t = new ChunkTransport(false).chunk("{\"return\": 1}\n");
    assertThat(f.readFrom(t, java.time.Duration.ofSeconds(1))).isPositive();
    assertThat(line(f)).isEqualTo("{\"return\": 1}");
    f.detach();
    assertThat(f.capacity()).isZero();
  }

  @Test
  void pendingBytesSurviveAnotherFramersReadOnTheSameThread() throws Exception {
    java.time.Duration wait = java.time.Duration.ofSeconds(1);
    LineFramer a = new LineFramer(1 << 20);
    LineFramer b = new LineFramer(1 << 20);
    a.readFrom(new ChunkTransport(false).chunk("{\"return\": 1}\n{\"return\": 2}\n{\"ret"), wait);
    assertThat(line(a)).isEqualTo("{\"return\": 1}");
    a.detach(); // a's caller is done: a's pending bytes move out of the thread's buffer
    b.readFrom(new ChunkTransport(false).chunk("x".repeat(200) + "\n"), wait);
    assertThat(line(b)).hasSize(200);
    b.detach();
    assertThat(line(a)).isEqualTo("{\"return\": 2}");
    a.readFrom(new ChunkTransport(false).chunk("urn\": 3}\n"), wait);
    assertThat(line(a)).isEqualTo("{\"return\": 3}");
  }

  @Test
  void aReplyLongerThanOneReadGrowsAnOwnBuffer() throws Exception {
    java.time.Duration wait = java.time.Duration.ofSeconds(1);
    String big = "{\"return\": \"" + "y".repeat(3 * LineFramer.SCRATCH_BYTES) + "\"}";
    ChunkTransport t = new ChunkTransport(false).chunk(big + "\n");
    LineFramer f = new LineFramer(1 << 20);
    String got = null;
    while (got == null) {
      f.readFrom(t, wait);
      got = line(f);
    }
    f.detach();
    assertThat(got).isEqualTo(big);
    assertThat(f.capacity()).isZero();
  }
}
