package io.qga.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.qga.client.api.GuestAgent;
import io.qga.exporter.runtime.DomainDirectory;
import io.qga.exporter.runtime.DomainHandle;
import io.qga.exporter.runtime.DomainListener;
import io.qga.exporter.runtime.GuestData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpEndpointTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicBoolean ready = new AtomicBoolean(false);
  private final AtomicBoolean reloadAllowed = new AtomicBoolean(true);
  private List<String> reloadProblems = List.of();
  private HttpEndpoint endpoint;

  @AfterEach
  void stop() {
    if (endpoint != null) {
      endpoint.close();
    }
  }

  private HttpEndpoint start(List<HttpRoute> routes) throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(
        () ->
            MetricSnapshots.of(
                GaugeSnapshot.builder()
                    .name("qga_up")
                    .help("test")
                    .dataPoint(
                        GaugeDataPointSnapshot.builder()
                            .labels(Labels.of("domain", "web-1"))
                            .value(1)
                            .build())
                    .build()));
    endpoint =
        HttpEndpoint.builder()
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .registry(registry)
            .domains(new Directory(List.of(new Domain("<script>alert(1)</script>", "7.2 & <b>"))))
            .ready(ready::get)
            .reload(() -> reloadProblems, reloadAllowed::get)
            .version("1.2.3")
            .routes(routes)
            .start();
    return endpoint;
  }

  private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<String> post(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void metricsInTextFormat() throws Exception {
    start(List.of());
    HttpResponse<byte[]> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/plain; version=0.0.4");
    assertThat(text(r))
        .contains("# TYPE qga_up gauge\n")
        .contains("qga_up{domain=\"web-1\"} 1.0\n");
  }

  @Test
  void metricsInOpenMetricsWhenAsked() throws Exception {
    start(List.of());
    HttpResponse<byte[]> r =
        get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertThat(r.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/openmetrics-text");
    assertThat(text(r)).contains("qga_up{domain=\"web-1\"} 1.0\n").endsWith("# EOF\n");
  }

  @Test
  void metricsGzippedWhenAccepted() throws Exception {
    start(List.of());
    HttpResponse<byte[]> r = get("/metrics", "Accept-Encoding", "gzip");
    assertThat(r.headers().firstValue("Content-Encoding")).contains("gzip");
    String body;
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(body).contains("qga_up{domain=\"web-1\"} 1.0");
  }

  @Test
  void landingPageListsDomainsAndEscapesWhatGuestsSend() throws Exception {
    start(List.of());
    HttpResponse<byte[]> r = get("/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    String html = text(r);
    assertThat(html)
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        .contains("7.2 &amp; &lt;b&gt;")
        .contains("name=\"viewport\"")
        .contains("last poll failed: &quot;boom&quot;")
        .contains("<a href=\"/metrics\">")
        .doesNotContain("<script>")
        .doesNotContain("<b>");
  }

  @Test
  void unknownPathsAre404() throws Exception {
    start(List.of());
    assertThat(get("/nothing").statusCode()).isEqualTo(404);
    assertThat(get("/api/v1/domains").statusCode()).isEqualTo(404);
    assertThat(get("/-/unknown").statusCode()).isEqualTo(404);
  }

  @Test
  void healthyAlwaysReadyAfterDiscovery() throws Exception {
    start(List.of());
    assertThat(get("/-/healthy").statusCode()).isEqualTo(200);
    HttpResponse<byte[]> notYet = get("/-/ready");
    assertThat(notYet.statusCode()).isEqualTo(503);
    assertThat(text(notYet)).contains("discovery has not run yet");
    ready.set(true);
    assertThat(get("/-/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void reloadNeedsPostAndReportsProblems() throws Exception {
    start(List.of());
    assertThat(get("/-/reload").statusCode()).isEqualTo(405);
    assertThat(post("/-/reload").statusCode()).isEqualTo(200);

    reloadProblems = List.of("/collectors/network/interval: \"15\" is not a duration");
    HttpResponse<String> bad = post("/-/reload");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body())
        .contains("old one keeps running")
        .contains("/collectors/network/interval");

    reloadAllowed.set(false);
    assertThat(post("/-/reload").statusCode()).isEqualTo(403);
  }

  @Test
  void extraRoutesShareTheListenerAndMayReplaceReload() throws Exception {
    start(
        List.of(
            new HttpRoute(
                "/api/", ex -> HttpEndpoint.send(ex, 200, "application/json", "{\"domains\": []}")),
            new HttpRoute(
                "/-/reload", ex -> HttpEndpoint.send(ex, 401, "text/plain", "token needed\n"))));
    assertThat(text(get("/api/v1/domains"))).isEqualTo("{\"domains\": []}");
    assertThat(post("/-/reload").statusCode()).isEqualTo(401);
    assertThat(get("/metrics").statusCode()).isEqualTo(200);
  }

  private record Domain(String name, String version) implements DomainHandle {
    @Override
    public Optional<String> uuid() {
      return Optional.empty();
    }

    @Override
    public String channel() {
      return "/run/qga/" + name + ".sock";
    }

    @Override
    public GuestAgent agent() {
      throw new UnsupportedOperationException();
    }

    @Override
    public AgentState state() {
      Instant t = Instant.parse("2026-01-01T00:00:00Z");
      return new AgentState(false, version, t, "last poll failed: \"boom\"", t, false);
    }

    @Override
    public GuestData guest() {
      return GuestData.EMPTY;
    }
  }

  private record Directory(List<DomainHandle> domains) implements DomainDirectory {
    @Override
    public Optional<DomainHandle> find(String name) {
      return domains.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    @Override
    public Collection<DomainHandle> all() {
      return domains;
    }

    @Override
    public void addListener(DomainListener listener) {}
  }
}
