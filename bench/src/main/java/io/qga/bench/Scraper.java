package io.qga.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Timed scrapes of {@code /metrics}: plain (no Accept, no compression: text 0.0.4), or as
 * Prometheus 2.x asks (its Accept header, which prefers OpenMetrics, and {@code Accept-Encoding:
 * gzip}). A scrape is timed to the last byte of the body as sent (compressed when gzip);
 * decompressing and decoding it is the benchmark's work, not the exporter's.
 */
final class Scraper {
  /** scrapeAcceptHeader of Prometheus 2.42 (the version installed here), scrape/scrape.go. */
  static final String PROMETHEUS_ACCEPT =
      "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
          + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

  /** Times and sizes of one kind of scrape. */
  static final class Stats {
    final List<Double> millis = new ArrayList<>();
    long bytes;
    int timeouts;
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  Scraper(String base) {
    this.base = base;
  }

  /**
   * One timed scrape; the decoded page, or null when it took over 30 s or failed (counted as
   * infinitely slow).
   */
  String scrape(boolean prometheus, Stats stats) throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(Duration.ofSeconds(30));
    if (prometheus) {
      request.header("Accept", PROMETHEUS_ACCEPT).header("Accept-Encoding", "gzip");
    }
    long t0 = System.nanoTime();
    HttpResponse<byte[]> r;
    try {
      r = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      // over 30 s, or the exporter died in the middle (e.g. out of heap): infinitely slow
      stats.millis.add(Double.POSITIVE_INFINITY);
      stats.timeouts++;
      return null;
    }
    stats.millis.add((System.nanoTime() - t0) / 1e6);
    byte[] body = r.body();
    stats.bytes = body.length;
    if (r.headers().firstValue("Content-Encoding").orElse("").equalsIgnoreCase("gzip")) {
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
        body = in.readAllBytes();
      }
    }
    return new String(body, StandardCharsets.UTF_8);
  }

  /** GET base + path, true on 200; false while nothing listens. */
  boolean ok(String path) throws InterruptedException {
    try {
      return http.send(
                  HttpRequest.newBuilder(URI.create(base + path)).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    }
  }
}
