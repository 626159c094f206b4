package io.qga.exporter.api;

import static io.qga.exporter.api.ApiTestServer.READER;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failed authentications are counted and logged at most once per address per minute. */
class AuthFailuresTest {
  @TempDir Path stateDir;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          lines.add(r.getLoggerName() + ": " + r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void listen() {
    Logger.getLogger(AuthFailures.class.getName()).addHandler(capture);
    Logger.getLogger(Auth.class.getName()).addHandler(capture);
  }

  @AfterEach
  void stop() {
    Logger.getLogger(AuthFailures.class.getName()).removeHandler(capture);
    Logger.getLogger(Auth.class.getName()).removeHandler(capture);
  }

  private List<String> failureLines() {
    return lines.stream().filter(l -> l.startsWith(AuthFailures.class.getName())).toList();
  }

  @Test
  void overHttpEveryFailureIsCountedByReasonAndOneLineIsLogged() throws Exception {
    try (ApiTestServer server = new ApiTestServer(stateDir)) {
      server.addGuest("web-1");
      server.start();
      for (int i = 0; i < 10; i++) {
        assertThat(server.get("/api/v1/domains", READER + "-guess-" + i).statusCode())
            .isEqualTo(401);
      }
      for (int i = 0; i < 3; i++) {
        assertThat(server.get("/api/v1/domains", null).statusCode()).isEqualTo(401);
      }
      HttpRequest basic =
          HttpRequest.newBuilder(server.uri("/api/v1/domains"))
              .header("Authorization", "Basic YTpi")
              .build();
      assertThat(server.client.send(basic, HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(401);
      assertThat(server.post("/-/reload", "wrong", null).statusCode()).isEqualTo(401);
      assertThat(server.get("/api/v1/domains", READER).statusCode()).isEqualTo(200);

      AuthFailures f = server.api.authFailures();
      assertThat(f.count(AuthFailures.Reason.INVALID)).isEqualTo(11);
      assertThat(f.count(AuthFailures.Reason.MISSING)).isEqualTo(3);
      assertThat(f.count(AuthFailures.Reason.MALFORMED)).isEqualTo(1);
      assertThat(failureLines()).hasSize(1);
      assertThat(failureLines().get(0))
          .contains("invalid token")
          .contains("from 127.0.0.1")
          .contains("GET /api/v1/domains")
          .doesNotContain("-guess-");

      PrometheusRegistry registry = new PrometheusRegistry();
      registry.register(server.api.authFailureMetrics());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
      assertThat(out.toString(StandardCharsets.UTF_8))
          .contains("qga_api_auth_failures_total{reason=\"invalid\"} 11.0")
          .contains("qga_api_auth_failures_total{reason=\"missing\"} 3.0")
          .contains("qga_api_auth_failures_total{reason=\"malformed\"} 1.0");
    }
  }

  @Test
  void aMinuteLaterTheNextLineSaysHowManyWentUnlogged() {
    Instant[] now = {Instant.parse("2026-12-01T12:00:00Z")};
    Clock clock =
        new Clock() {
          @Override
          public ZoneOffset getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now[0];
          }
        };
    AuthFailures f = new AuthFailures(clock);
    InetSocketAddress a = new InetSocketAddress("192.0.2.7", 40000);
    InetSocketAddress b = new InetSocketAddress("192.0.2.8", 40000);
    for (int i = 0; i < 50; i++) {
      f.record(AuthFailures.Reason.INVALID, a, "GET /api/v1/domains");
    }
    f.record(AuthFailures.Reason.MISSING, b, "GET /api/v1/domains");
    assertThat(failureLines()).hasSize(2);
    now[0] = now[0].plus(Duration.ofSeconds(59));
    f.record(AuthFailures.Reason.INVALID, a, "GET /api/v1/domains");
    assertThat(failureLines()).hasSize(2);
    now[0] = now[0].plus(Duration.ofSeconds(2));
    f.record(AuthFailures.Reason.INVALID, a, "GET /api/v1/domains");
    assertThat(failureLines()).hasSize(3);
    assertThat(failureLines().get(2)).contains("192.0.2.7").contains("50 more failures");
    assertThat(f.count(AuthFailures.Reason.INVALID)).isEqualTo(52);
  }

  @Test
  void aTokenFileWithTwoNonEmptyLinesIsRefusedNamingTheFile() throws Exception {
    try (ApiTestServer server = new ApiTestServer(stateDir)) {
      server.addGuest("web-1");
      server.start();
      assertThat(server.get("/api/v1/domains", "first-rotating-token").statusCode()).isEqualTo(200);
      Files.writeString(server.tokenFile, "second-rotating-token\nold: first-rotating-token\n");
      Files.setLastModifiedTime(
          server.tokenFile, java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(5)));
      assertThat(server.get("/api/v1/domains", "second-rotating-token").statusCode())
          .isEqualTo(401);
      assertThat(server.get("/api/v1/domains", "first-rotating-token").statusCode()).isEqualTo(401);
      assertThat(lines)
          .anySatisfy(
              l ->
                  assertThat(l)
                      .contains(server.tokenFile.toString())
                      .contains("2 non-empty lines"));
      // blank lines around one token are fine
      Files.writeString(server.tokenFile, "\n  third-rotating-token  \n\n");
      Files.setLastModifiedTime(
          server.tokenFile, java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(10)));
      assertThat(server.get("/api/v1/domains", "third-rotating-token").statusCode()).isEqualTo(200);
    }
  }
}
