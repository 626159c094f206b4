package io.qga.exporter.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security issue's slow-client attack on the real daemon's listener (real sockets on loopback):
 * hundreds of connections that send one byte, or nothing, and wait. Before the listener moved to
 * Jetty, four of them took the JDK server's four worker threads and {@code /metrics} stopped
 * answering for as long as they stayed open.
 */
class SlowHttpClientsTest {
  private static final int SLOW_CLIENTS = 300;

  @TempDir Path dir;
  private Harness harness;
  private final List<Socket> slow = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    harness = new Harness(dir);
  }

  @AfterEach
  void tearDown() {
    for (Socket s : slow) {
      try {
        s.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
    harness.close();
  }

  @Test
  void hundredsOfSlowClientsLeaveScrapesAndHealthFastAndAreClosedAfterTheHeaderTimeout()
      throws Exception {
    harness.agent("web-1", g -> {});
    Path config = harness.config("1s", "1s", "5s", "");
    // header_timeout short, idle_timeout long: what closes the one-byte clients is the header
    // deadline, not silence
    Files.writeString(
        config,
        Files.readString(config)
            .replace(
                "  listen: \"127.0.0.1:0\"\n",
                "  listen: \"127.0.0.1:0\"\n  header_timeout: 3s\n  idle_timeout: 60s\n"));
    harness.start(config);
    int port = harness.daemon.port();

    probe(port, "/metrics"); // warm-up: class loading is not the baseline
    long baseline = 0;
    for (int i = 0; i < 10; i++) {
      baseline = Math.max(baseline, probe(port, "/metrics"));
      baseline = Math.max(baseline, probe(port, "/-/healthy"));
    }

    long opened = System.nanoTime();
    for (int i = 0; i < SLOW_CLIENTS; i++) {
      Socket s = new Socket();
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      slow.add(s);
      if (i % 3 != 0) {
        s.getOutputStream().write('G'); // the start of a request line, and then nothing
        s.getOutputStream().flush();
      }
    }

    // Generous for a loaded CI machine; the JDK server never answered at all here.
    long bound = 2000 + 10 * baseline;
    for (int i = 0; i < 10; i++) {
      assertThat(probe(port, "/metrics"))
          .as("/metrics with %d slow clients open (baseline %d ms)", SLOW_CLIENTS, baseline)
          .isLessThan(bound);
      assertThat(probe(port, "/-/healthy"))
          .as("/-/healthy with %d slow clients open (baseline %d ms)", SLOW_CLIENTS, baseline)
          .isLessThan(bound);
    }

    // Every slow client is closed by the server once the 3 s header deadline has passed.
    for (Socket s : slow) {
      long leftMs = 15_000 - (System.nanoTime() - opened) / 1_000_000;
      assertThat(closedByServerWithin(s, Math.max(1, leftMs)))
          .as("a slow connection still open 15 s after it was opened (header_timeout 3s)")
          .isTrue();
    }
    long closedAfterMs = (System.nanoTime() - opened) / 1_000_000;
    assertThat(closedAfterMs)
        .as("not closed before the header deadline")
        .isGreaterThanOrEqualTo(2_900);
    assertThat(probe(port, "/metrics")).isLessThan(bound);
  }

  @Test
  void beyondMaxConnectionsTheDaemonAcceptsNoMoreAndStillAnswersScrapes() throws Exception {
    harness.agent("web-1", g -> {});
    Path config = harness.config("1s", "1s", "5s", "");
    Files.writeString(
        config,
        Files.readString(config)
            .replace(
                "  listen: \"127.0.0.1:0\"\n",
                "  listen: \"127.0.0.1:0\"\n  max_connections: 50\n  header_timeout: 30s\n"));
    harness.start(config);
    int port = harness.daemon.port();
    probe(port, "/metrics");
    long before = openDescriptors();

    int connected = 0;
    for (int i = 0; i < SLOW_CLIENTS; i++) {
      Socket s = new Socket();
      try {
        // a connection the server no longer accepts (listen backlog full) does not complete
        s.connect(new InetSocketAddress("127.0.0.1", port), 100);
        slow.add(s);
        connected++;
      } catch (IOException e) {
        s.close();
      }
    }
    Thread.sleep(500);
    // this JVM holds the client ends; what is left is what the daemon accepted
    long accepted = openDescriptors() - before - connected;
    assertThat(accepted)
        .as(
            "descriptors the daemon took for %d connection attempts (max_connections 50)",
            SLOW_CLIENTS)
        .isLessThanOrEqualTo(50 + 10);
    // at the limit, idle connections are closed after a second: a scrape gets in
    assertThat(probe(port, "/metrics")).isLessThan(5000);
    assertThat(probe(port, "/-/healthy")).isLessThan(5000);
  }

  private static long openDescriptors() {
    return ((com.sun.management.UnixOperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getOpenFileDescriptorCount();
  }

  /** Milliseconds for a GET on a new connection; fails unless the answer is 200. */
  private static long probe(int port, String path) throws IOException {
    long t0 = System.nanoTime();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String response;
      try {
        response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("GET " + path + " got no answer within 10 s", e);
      }
      assertThat(response).as("GET " + path).startsWith("HTTP/1.1 200");
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /** True when the server closes {@code s} (EOF or reset) within {@code millis}. */
  private static boolean closedByServerWithin(Socket s, long millis) throws IOException {
    s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, millis));
    InputStream in = s.getInputStream();
    byte[] buf = new byte[4096];
    try {
      while (in.read(buf) >= 0) {
        // an error response before the close is fine
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }
}
