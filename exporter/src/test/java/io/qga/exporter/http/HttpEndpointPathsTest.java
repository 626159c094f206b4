package io.qga.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Exact path matching and {@code server.allowed_hosts}, over real sockets (raw requests, so the
 * Host header is what the test says).
 */
class HttpEndpointPathsTest {
  private HttpEndpoint endpoint;

  @AfterEach
  void stop() {
    if (endpoint != null) {
      endpoint.close();
    }
  }

  private void start(List<String> allowedHosts) throws IOException {
    endpoint =
        HttpEndpoint.builder()
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .registry(new PrometheusRegistry())
            .reload(List::of, () -> true)
            .routes(
                List.of(
                    new HttpRoute(
                        "/api/", ex -> HttpEndpoint.send(ex, 200, "text/plain", "api\n"))))
            .allowedHosts(allowedHosts)
            .start();
  }

  /** The status code of a raw GET with this Host header. */
  private int status(String path, String host) throws IOException {
    try (Socket s = new Socket("127.0.0.1", endpoint.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      return Integer.parseInt(response.substring(9, 12));
    }
  }

  @Test
  void builtInPathsAreExactNotPrefixes() throws Exception {
    start(List.of());
    String host = "127.0.0.1";
    assertThat(status("/metrics", host)).isEqualTo(200);
    assertThat(status("/-/healthy", host)).isEqualTo(200);
    assertThat(status("/-/ready", host)).isEqualTo(200);
    for (String p :
        List.of(
            "/metricsX",
            "/metrics/",
            "/metrics/x",
            "/metrics.txt",
            "/-/healthyX",
            "/-/healthy/x",
            "/-/readyz",
            "/-/reloadX",
            "/apiX",
            "/x")) {
      assertThat(status(p, host)).as(p).isEqualTo(404);
    }
    assertThat(status("/api/v1/x", host))
        .as("a route ending with / takes what is under it")
        .isEqualTo(200);
  }

  @Test
  void onlyAllowedHostsAreServedOthersGet421() throws Exception {
    start(List.of("exporter.example.org", "127.0.0.1", "::1"));
    assertThat(status("/metrics", "exporter.example.org")).isEqualTo(200);
    assertThat(status("/metrics", "EXPORTER.example.org:9920")).isEqualTo(200);
    assertThat(status("/-/healthy", "127.0.0.1:9920")).isEqualTo(200);
    assertThat(status("/-/healthy", "[::1]:9920")).isEqualTo(200);
    // what a DNS-rebinding page sends: its own name, resolved to the exporter's address
    assertThat(status("/metrics", "attacker.example.net")).isEqualTo(421);
    assertThat(status("/api/v1/domains", "attacker.example.net:9920")).isEqualTo(421);
    assertThat(status("/", "attacker.example.net")).isEqualTo(421);
  }

  @Test
  void withoutAllowedHostsAnyHostIsServed() throws Exception {
    start(List.of());
    assertThat(status("/metrics", "attacker.example.net")).isEqualTo(200);
  }
}
