package io.qga.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The API's own listener ({@link HttpEndpoint.Builder#api}): routes land on the right side, and it
 * has the first listener's protections of its own (header deadline, connection limit), so a flood
 * of slow clients on the API port leaves scrapes alone.
 */
class ApiListenerTest {
  private final List<Socket> slow = new ArrayList<>();
  private HttpEndpoint endpoint;

  @AfterEach
  void stop() {
    for (Socket s : slow) {
      try {
        s.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
    if (endpoint != null) {
      endpoint.close();
    }
  }

  private HttpEndpoint start(int maxConnections, Duration headerTimeout) throws IOException {
    HttpRoute api =
        new HttpRoute("/api/", exchange -> HttpEndpoint.send(exchange, 200, "text/plain", "api\n"));
    endpoint =
        HttpEndpoint.builder()
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .api(new InetSocketAddress("127.0.0.1", 0), null)
            .registry(new PrometheusRegistry())
            .reload(List::of, () -> true)
            .routes(List.of(api))
            .maxConnections(maxConnections)
            .timeouts(Duration.ofSeconds(60), headerTimeout)
            .start();
    return endpoint;
  }

  @Test
  void eachPathOnItsOwnListener() throws Exception {
    start(100, Duration.ofSeconds(10));
    int main = endpoint.port();
    int api = endpoint.apiAddress().orElseThrow().getPort();

    assertThat(get(main, "GET", "/metrics")).startsWith("HTTP/1.1 200");
    assertThat(get(main, "GET", "/-/healthy")).startsWith("HTTP/1.1 200");
    assertThat(get(main, "GET", "/api/v1/domains"))
        .startsWith("HTTP/1.1 404")
        .contains("served on its own listener (api.listen)");
    assertThat(get(main, "POST", "/-/reload")).startsWith("HTTP/1.1 404");

    assertThat(get(api, "GET", "/api/v1/domains")).startsWith("HTTP/1.1 200").endsWith("api\n");
    assertThat(get(api, "POST", "/-/reload")).startsWith("HTTP/1.1 200");
    assertThat(get(api, "GET", "/metrics")).startsWith("HTTP/1.1 404").contains("server.listen");
    assertThat(get(api, "GET", "/-/ready")).startsWith("HTTP/1.1 404");
    assertThat(get(api, "GET", "/apix")).startsWith("HTTP/1.1 404");
  }

  @Test
  void withoutApiListenEverythingStaysOnOneListener() throws Exception {
    HttpRoute api =
        new HttpRoute("/api/", exchange -> HttpEndpoint.send(exchange, 200, "text/plain", "api\n"));
    endpoint =
        HttpEndpoint.builder()
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .registry(new PrometheusRegistry())
            .routes(List.of(api))
            .start();
    assertThat(endpoint.apiAddress()).isEmpty();
    assertThat(get(endpoint.port(), "GET", "/api/v1/domains")).startsWith("HTTP/1.1 200");
    assertThat(get(endpoint.port(), "GET", "/metrics")).startsWith("HTTP/1.1 200");
  }

  @Test
  void slowClientsOnTheApiPortAreClosedAfterTheHeaderTimeoutAndScrapesGoOn() throws Exception {
    start(1000, Duration.ofSeconds(2));
    int api = endpoint.apiAddress().orElseThrow().getPort();
    long opened = System.nanoTime();
    for (int i = 0; i < 100; i++) {
      Socket s = new Socket();
      s.connect(new InetSocketAddress("127.0.0.1", api), 5000);
      slow.add(s);
      s.getOutputStream().write('G'); // the start of a request line, and then nothing
      s.getOutputStream().flush();
    }
    assertThat(get(endpoint.port(), "GET", "/metrics")).startsWith("HTTP/1.1 200");
    assertThat(get(api, "GET", "/api/v1/domains")).startsWith("HTTP/1.1 200");
    for (Socket s : slow) {
      long leftMs = 12_000 - (System.nanoTime() - opened) / 1_000_000;
      assertThat(closedByServerWithin(s, Math.max(1, leftMs)))
          .as("a slow API connection still open 12 s after it was opened (header timeout 2s)")
          .isTrue();
    }
    assertThat((System.nanoTime() - opened) / 1_000_000)
        .as("not closed before the header deadline")
        .isGreaterThanOrEqualTo(1_900);
  }

  @Test
  void theApiPortHasItsOwnConnectionLimitAndItsFloodLeavesScrapesAlone() throws Exception {
    start(20, Duration.ofSeconds(30));
    int api = endpoint.apiAddress().orElseThrow().getPort();
    get(api, "GET", "/api/v1/domains");
    long before = openDescriptors();
    int connected = 0;
    for (int i = 0; i < 200; i++) {
      Socket s = new Socket();
      try {
        s.connect(new InetSocketAddress("127.0.0.1", api), 100);
        slow.add(s);
        connected++;
      } catch (IOException e) {
        s.close();
      }
    }
    Thread.sleep(500);
    long accepted = openDescriptors() - before - connected;
    assertThat(accepted)
        .as("descriptors taken for %d connection attempts on the API port (limit 20)", 200)
        .isLessThanOrEqualTo(20 + 10);
    long t0 = System.nanoTime();
    assertThat(get(endpoint.port(), "GET", "/metrics")).startsWith("HTTP/1.1 200");
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5000);
  }

  private static long openDescriptors() {
    return ((com.sun.management.UnixOperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getOpenFileDescriptorCount();
  }

  private static String get(int port, String method, String path) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          (method
                  + " "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                  + "Content-Length: 0\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
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
