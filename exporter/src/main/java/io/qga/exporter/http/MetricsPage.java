package io.qga.exporter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.qga.collectors.Exposition;
import io.qga.collectors.SeriesText;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@code /metrics}: every domain's series as text prepared when each poll ended ({@link
 * Exposition#write}), then the registry's own series (the daemon, actions, policies) through
 * client_java's writers. Prometheus text 0.0.4, or OpenMetrics 1.0.0 when the scraper accepts it
 * (client_java's rule); gzip when accepted; {@code ?name[]=NAME} (repeatable) limits the page to
 * those metric names, as client_java's handler does. The page streams to the scraper as it is
 * written ({@link PageStream}: buffers and the gzip deflater kept between scrapes).
 *
 * <p>The per-domain series bypass client_java's snapshots because at a thousand domains building
 * and sorting ~80 000 data points per scrape cost ~0.5 s of CPU (bench/RESULTS.md); copying
 * prepared lines costs a few milliseconds. ExpositionTest checks the two give the same text.
 */
public final class MetricsPage implements HttpHandler {
  private static final OpenMetricsTextFormatWriter OPENMETRICS =
      OpenMetricsTextFormatWriter.create();
  private static final PrometheusTextFormatWriter PROMETHEUS = PrometheusTextFormatWriter.create();

  private final PrometheusRegistry registry;
  private final Supplier<? extends Iterable<Exposition.Prepared>> domainSeries;

  /** Two streams kept: Prometheus scraping, and one more scraper or a person with curl. */
  private final PageStream.Pool streams = new PageStream.Pool(2);

  /**
   * @param registry the daemon's own series
   * @param domainSeries every domain's prepared series at the moment of the scrape
   */
  public MetricsPage(
      PrometheusRegistry registry, Supplier<? extends Iterable<Exposition.Prepared>> domainSeries) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.domainSeries = Objects.requireNonNull(domainSeries, "domainSeries");
  }

  /** Only the registry (no domain series). */
  public static MetricsPage of(PrometheusRegistry registry) {
    return new MetricsPage(registry, List::of);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      exchange.getResponseHeaders().set("Allow", "GET, HEAD");
      HttpEndpoint.send(exchange, 405, "text/plain; charset=utf-8", "Use GET for /metrics\n");
      return;
    }
    boolean openMetrics = OPENMETRICS.accepts(exchange.getRequestHeaders().getFirst("Accept"));
    Set<String> names = names(exchange.getRequestURI().getRawQuery());
    boolean gzip = acceptsGzip(exchange.getRequestHeaders().get("Accept-Encoding"));
    exchange
        .getResponseHeaders()
        .set(
            "Content-Type",
            openMetrics
                ? OpenMetricsTextFormatWriter.CONTENT_TYPE
                : PrometheusTextFormatWriter.CONTENT_TYPE);
    if (gzip) {
      exchange.getResponseHeaders().set("Content-Encoding", "gzip");
    }
    if (method.equals("HEAD")) {
      exchange.sendResponseHeaders(200, -1);
      return;
    }
    // Streamed (chunked): the page is written to the socket as it is made, never held whole.
    exchange.sendResponseHeaders(200, 0);
    PageStream page = streams.take();
    try (OutputStream body = exchange.getResponseBody()) {
      write(
          page.open(body, gzip),
          openMetrics ? SeriesText.Format.OPENMETRICS : SeriesText.Format.PROMETHEUS,
          names);
      page.finish();
    } finally {
      streams.give(page);
    }
  }

  /**
   * The page in {@code format}.
   *
   * @param names metric names to keep (base or exposition name), or null for all
   */
  public void write(OutputStream out, SeriesText.Format format, Set<String> names)
      throws IOException {
    Set<String> written =
        Exposition.write(out, format, domainSeries.get(), names == null ? null : names::contains);
    Predicate<String> rest =
        names == null ? n -> !written.contains(n) : n -> !written.contains(n) && matches(names, n);
    MetricSnapshots snapshots = registry.scrape(rest);
    if (format == SeriesText.Format.OPENMETRICS) {
      OPENMETRICS.write(out, snapshots); // ends the page with # EOF
    } else {
      PROMETHEUS.write(out, snapshots);
    }
  }

  private static boolean matches(Set<String> names, String name) {
    return names.contains(name) || names.contains(name + "_total");
  }

  private static Set<String> names(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return null;
    }
    Set<String> names = new HashSet<>();
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
      if (key.equals("name[]")) {
        names.add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return names.isEmpty() ? null : names;
  }

  private static boolean acceptsGzip(List<String> acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    for (String header : acceptEncoding) {
      for (String part : header.split(",")) {
        String coding = part.trim();
        int semicolon = coding.indexOf(';');
        String name = (semicolon < 0 ? coding : coding.substring(0, semicolon)).trim();
        if (name.equalsIgnoreCase("gzip") && !coding.replace(" ", "").endsWith(";q=0")) {
          return true;
        }
      }
    }
    return false;
  }
}
