package io.qga.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.qga.collectors.DomainSamples;
import io.qga.collectors.Exposition;
import io.qga.collectors.Limits;
import io.qga.collectors.MetricFamily;
import io.qga.collectors.SeriesText;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
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

  /** A page of {@code domains} domains, ~1 KB each, one of them with a fragment over 64 KiB. */
  private static List<Exposition.Prepared> fleet(int domains) {
    MetricFamily cpu =
        MetricFamily.counter("seconds", "qga_test_cpu_seconds", "CPU time.", "cpu", "mode");
    List<Exposition.Prepared> out = new ArrayList<>();
    for (int d = 0; d < domains; d++) {
      var sink = DomainSamples.builder(Limits.DEFAULT);
      int cpus = d == 0 ? 1000 : 4;
      for (int c = 0; c < cpus; c++) {
        for (String mode : List.of("user", "system", "idle")) {
          sink.counter(cpu, d * 1000.0 + c + 0.25, Integer.toString(c), mode);
        }
      }
      sink.gauge(LOAD, d / 7.0);
      out.add(Exposition.prepare("vm-\"" + d + "\"-\u00e9", "cpu", sink.build()));
    }
    return List.copyOf(out);
  }

  private static final String PROMETHEUS_ACCEPT =
      "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
          + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

  private static byte[] get(HttpClient client, String url, String accept, boolean gzip)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
    if (accept != null) {
      request.header("Accept", accept);
    }
    if (gzip) {
      request.header("Accept-Encoding", "gzip");
    }
    HttpResponse<byte[]> r = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Encoding"))
        .isEqualTo(gzip ? java.util.Optional.of("gzip") : java.util.Optional.empty());
    if (!gzip) {
      return r.body();
    }
    try (var in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
      return in.readAllBytes();
    }
  }

  @Test
  void aGzipScrapeDecompressesToExactlyThePlainScrape() throws Exception {
    List<Exposition.Prepared> fleet = fleet(300);
    MetricsPage big = new MetricsPage(registry, () -> fleet);
    try (HttpEndpoint http =
        HttpEndpoint.builder().listen(new InetSocketAddress("127.0.0.1", 0)).metrics(big).start()) {
      HttpClient client = HttpClient.newHttpClient();
      String url = "http://127.0.0.1:" + http.port() + "/metrics";
      for (String accept : java.util.Arrays.asList(null, PROMETHEUS_ACCEPT)) {
        var expected = new ByteArrayOutputStream();
        big.write(
            expected,
            accept == null ? SeriesText.Format.PROMETHEUS : SeriesText.Format.OPENMETRICS,
            null);
        assertThat(expected.size()).isGreaterThan(3 * PageStream.BUFFER_BYTES);
        byte[] plain = get(client, url, accept, false);
        byte[] gzip = get(client, url, accept, true);
        assertThat(plain).isEqualTo(expected.toByteArray());
        assertThat(gzip).isEqualTo(plain);
        // twice: the second scrape reuses the first one's deflater and buffers
        assertThat(get(client, url, accept, true)).isEqualTo(plain);
      }
    }
  }

  @Test
  void aPlainScrapeAfterAGzipOneDoesNotHoldThePage() throws Exception {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported());
    threads.setThreadAllocatedMemoryEnabled(true);
    List<Exposition.Prepared> fleet = fleet(4000);
    MetricsPage big = new MetricsPage(registry, () -> fleet);
    AtomicLong allocated = new AtomicLong();
    try (HttpEndpoint http =
        HttpEndpoint.builder()
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .metrics(
                exchange -> {
                  long before = threads.getCurrentThreadAllocatedBytes();
                  big.handle(exchange);
                  allocated.set(threads.getCurrentThreadAllocatedBytes() - before);
                })
            .start()) {
      HttpClient client = HttpClient.newHttpClient();
      String url = "http://127.0.0.1:" + http.port() + "/metrics";
      byte[] gzip = get(client, url, null, true);
      byte[] plain = get(client, url, null, false);
      assertThat(plain).isEqualTo(gzip);
      assertThat(plain.length).isGreaterThan(3_000_000);
      // A page buffered whole costs at least its size (more when the buffer starts from the last,
      // compressed, page and grows by doubling); streamed, the buffers are reused.
      assertThat(allocated.get()).isLessThan(plain.length / 4);
    }
  }

  @Test
  void twoScrapersAtOnceEachGetTheWholePage() throws Exception {
    List<Exposition.Prepared> fleet = fleet(200);
    MetricsPage big = new MetricsPage(registry, () -> fleet);
    var expected = new ByteArrayOutputStream();
    big.write(expected, SeriesText.Format.PROMETHEUS, null);
    try (HttpEndpoint http =
        HttpEndpoint.builder().listen(new InetSocketAddress("127.0.0.1", 0)).metrics(big).start()) {
      String url = "http://127.0.0.1:" + http.port() + "/metrics";
      CyclicBarrier together = new CyclicBarrier(2);
      ExecutorService scrapers = Executors.newFixedThreadPool(2);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
          int scraper = s;
          done.add(
              scrapers.submit(
                  () -> {
                    HttpClient client = HttpClient.newHttpClient();
                    for (int round = 0; round < 20; round++) {
                      together.await(30, TimeUnit.SECONDS);
                      // both gzip, or one gzip and one plain, at the same time
                      boolean gzip = scraper == 0 || round % 2 == 0;
                      assertThat(get(client, url, null, gzip)).isEqualTo(expected.toByteArray());
                    }
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get(120, TimeUnit.SECONDS);
        }
      } finally {
        scrapers.shutdownNow();
      }
    }
  }
}
