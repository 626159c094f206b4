package io.qga.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.qga.collectors.DomainSamples;
import io.qga.collectors.Exposition;
import io.qga.collectors.Limits;
import io.qga.collectors.MetricFamily;
import io.qga.collectors.SeriesText;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MetricsPageTest {
  private static final MetricFamily LOAD =
      MetricFamily.gauge("qga_guest_load_test", "A guest's load.");
  private static final MetricFamily CLASH =
      MetricFamily.gauge("qga_clash", "Both the domains and the registry bring this name.");

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final MetricsPage page =
      new MetricsPage(
          registry,
          () -> {
            var sink = DomainSamples.builder(Limits.DEFAULT);
            sink.gauge(LOAD, 0.5);
            sink.gauge(CLASH, 1);
            return List.of(Exposition.prepare("web-1", "load", sink.build()));
          });

  MetricsPageTest() {
    registry.register(
        () ->
            MetricSnapshots.of(
                GaugeSnapshot.builder()
                    .name("qga_discovered_domains")
                    .help("How many domains discovery found")
                    .dataPoint(GaugeDataPointSnapshot.builder().value(1).build())
                    .build(),
                GaugeSnapshot.builder()
                    .name("qga_clash")
                    .help("The registry's copy")
                    .dataPoint(GaugeDataPointSnapshot.builder().value(2).build())
                    .build()));
  }

  private String text(SeriesText.Format format, Set<String> names) throws Exception {
    var out = new ByteArrayOutputStream();
    page.write(out, format, names);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void domainSeriesAndTheRegistryOnOnePageEachNameOnce() throws Exception {
    String text = text(SeriesText.Format.PROMETHEUS, null);
    assertThat(text)
        .contains("qga_guest_load_test{domain=\"web-1\"} 0.5\n")
        .contains("qga_discovered_domains 1.0\n")
        .contains("qga_clash{domain=\"web-1\"} 1.0\n")
        .doesNotContain("The registry's copy");
    assertThat(text.split("# TYPE qga_clash ", -1)).hasSize(2);
  }

  @Test
  void openMetricsEndsWithOneEof() throws Exception {
    String text = text(SeriesText.Format.OPENMETRICS, null);
    assertThat(text).endsWith("# EOF\n").contains("# TYPE qga_guest_load_test gauge\n");
    assertThat(text.indexOf("# EOF")).isEqualTo(text.length() - "# EOF\n".length());
  }

  @Test
  void namesLimitThePage() throws Exception {
    String text = text(SeriesText.Format.PROMETHEUS, Set.of("qga_discovered_domains"));
    assertThat(text).contains("qga_discovered_domains 1.0").doesNotContain("qga_guest_load_test");
    text = text(SeriesText.Format.PROMETHEUS, Set.of("qga_guest_load_test"));
    assertThat(text).contains("qga_guest_load_test").doesNotContain("qga_discovered_domains");
  }

  @Test
  void overHttpWithNameFilterHeadAndWrongMethod() throws Exception {
    try (HttpEndpoint http =
        HttpEndpoint.builder()
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .metrics(page)
            .threads(2)
            .start()) {
      HttpClient client = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + http.port();
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/metrics?name%5B%5D=qga_guest_load_test"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("qga_guest_load_test").doesNotContain("qga_discovered_domains");
      assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain");

      HttpResponse<String> post =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/metrics"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
    }
  }
}
