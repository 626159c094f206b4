package io.qga.client.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qga.client.AgentAddress;
import io.qga.sim.AgentServer;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketTransportTest {
  @TempDir Path dir;

  @Test
  void missingSocketIsAnIoErrorNotATimeout() {
    assertThatThrownBy(
            () ->
                TransportFactory.sockets()
                    .connect(AgentAddress.unix(dir.resolve("none.sock")), Duration.ofSeconds(1)))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(SocketTimeoutException.class);
  }

  @Test
  void readWaitsAtMostItsTimeout() throws Exception {
    Path socket = dir.resolve("quiet.sock");
    try (AgentServer server = AgentServer.start(socket, (request, c) -> {});
        Transport t =
            TransportFactory.sockets().connect(AgentAddress.unix(socket), Duration.ofSeconds(1))) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> t.read(new byte[16], 0, 16, Duration.ofMillis(200)))
          .isInstanceOf(SocketTimeoutException.class);
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertThat(ms).isBetween(150L, 1000L);
    }
  }

  @Test
  void writesAndReadsBytes() throws Exception {
    Path socket = dir.resolve("echo.sock");
    try (AgentServer server =
            AgentServer.start(socket, (request, c) -> c.send("{\"return\": {}}"));
        Transport t =
            TransportFactory.sockets().connect(AgentAddress.unix(socket), Duration.ofSeconds(1))) {
      t.write(
          "{\"execute\":\"guest-ping\"}\n".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(1));
      byte[] buf = new byte[64];
      int n = t.read(buf, 0, buf.length, Duration.ofSeconds(2));
      assertThat(new String(buf, 0, n, StandardCharsets.UTF_8)).startsWith("{\"return\"");
    }
  }

  @Test
  void readAfterPeerClosedIsEndOfStream() throws Exception {
    Path socket = dir.resolve("closing.sock");
    try (AgentServer server = AgentServer.start(socket, (request, c) -> c.close());
        Transport t =
            TransportFactory.sockets().connect(AgentAddress.unix(socket), Duration.ofSeconds(1))) {
      t.write(
          "{\"execute\":\"guest-ping\"}\n".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(1));
      assertThat(t.read(new byte[16], 0, 16, Duration.ofSeconds(2))).isEqualTo(-1);
    }
  }

  @Test
  void passedDeadlinesFailAtOnce() throws Exception {
    Path socket = dir.resolve("x.sock");
    try (AgentServer server = AgentServer.start(socket, (request, c) -> {});
        Transport t =
            TransportFactory.sockets().connect(AgentAddress.unix(socket), Duration.ofSeconds(1))) {
      assertThatThrownBy(() -> t.read(new byte[1], 0, 1, Duration.ZERO))
          .isInstanceOf(SocketTimeoutException.class);
      assertThatThrownBy(() -> t.write(new byte[1], Duration.ZERO))
          .isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void vsockWithoutPeerFailsWithinTheTimeout() {
    // No vsock peer exists on this host (FACTS.md), and junixsocket 2.10.1 ships no vsock
    // socket class: either way the connect must fail with an IOException naming the address.
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                TransportFactory.sockets()
                    .connect(AgentAddress.vsock("3:1234"), Duration.ofSeconds(2)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("vsock");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3000L);
  }

  @Test
  void millisRoundUpAndNeverZero() {
    assertThat(SocketTransport.millis(Duration.ofNanos(1))).isEqualTo(1);
    assertThat(SocketTransport.millis(Duration.ofMillis(1).plusNanos(1))).isEqualTo(2);
    assertThat(SocketTransport.millis(Duration.ofDays(365))).isEqualTo(Integer.MAX_VALUE);
  }
}
