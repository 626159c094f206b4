package io.qga.exporter.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.sim.HostileMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security issue's "live API calls starve scrapes" attack on the real daemon: a reader token, a
 * guest whose agent never answers, parallel live pings. Before api.max_live_calls, eight pings held
 * the listener's four threads for the command timeout and probes of /metrics took seconds.
 */
class LiveApiCallsTest {
  private static final String READER = "reader-token-for-the-live-calls-test";
  private static final String OPERATOR = "operator-token-for-the-live-calls-test";

  @TempDir Path dir;
  private Harness harness;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void setUp() throws Exception {
    harness = new Harness(dir);
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private static String sha256(String token) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
  }

  private void start(String commandTimeout) throws Exception {
    String api =
        "api:\n  max_live_calls: 2\n  max_wait: 30s\n  tokens:\n"
            + "    - {name: grafana, role: reader, sha256: "
            + sha256(READER)
            + "}\n"
            + "    - {name: ansible, role: operator, sha256: "
            + sha256(OPERATOR)
            + "}\n";
    harness.start(harness.config("1s", commandTimeout, "5s", api));
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + harness.daemon.port() + path);
  }

  private CompletableFuture<HttpResponse<String>> post(String path, String token) {
    return http.sendAsync(
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Milliseconds for a GET that must answer 200, on a new connection each time. */
  private long probe(String path) throws Exception {
    HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    long t0 = System.nanoTime();
    HttpResponse<String> r =
        fresh.send(
            HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return (System.nanoTime() - t0) / 1_000_000;
  }

  @Test
  void pingsToAHungGuestAreBoundedAnswered429AndNeverDelayScrapes() throws Exception {
    harness.agent("hung", g -> g.hostile(HostileMode.NEVER_ANSWERS));
    start("5s");
    probe("/metrics"); // warm-up: class loading is not the baseline
    long baseline = 0;
    for (int i = 0; i < 5; i++) {
      baseline = Math.max(baseline, Math.max(probe("/metrics"), probe("/-/healthy")));
    }

    List<CompletableFuture<HttpResponse<String>>> pings = new ArrayList<>();
    long sent = System.nanoTime();
    for (int i = 0; i < 8; i++) {
      pings.add(post("/api/v1/domains/hung/ping", READER));
    }
    Thread.sleep(300); // the pings are in
    long bound = 2000 + 10 * baseline;
    for (int i = 0; i < 5; i++) {
      assertThat(probe("/metrics"))
          .as("/metrics while 8 pings hang (baseline %d ms)", baseline)
          .isLessThan(bound);
      assertThat(probe("/-/healthy")).as("/-/healthy while 8 pings hang").isLessThan(bound);
    }

    int refused = 0;
    int timedOut = 0;
    for (CompletableFuture<HttpResponse<String>> f : pings) {
      HttpResponse<String> r = f.join();
      if (r.statusCode() == 429) {
        refused++;
        assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(r.body()).contains("api.max_live_calls");
      } else {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        timedOut++;
      }
    }
    assertThat(timedOut).as("pings let through to the hung guest").isLessThanOrEqualTo(2);
    assertThat(refused).isGreaterThanOrEqualTo(6);
    assertThat((System.nanoTime() - sent) / 1_000_000).as("all answered").isLessThan(20_000);
    // the slots are free again: the next ping reaches the guest (and times out) instead of 429
    assertThat(post("/api/v1/domains/hung/ping", READER).join().statusCode()).isEqualTo(503);
  }

  @Test
  void waitsHoldAtMostMaxLiveCallsThreadsTheRestGet202AtOnce() throws Exception {
    // a slow guest: every reply takes a second, so each fstrim job takes seconds; they queue
    harness.agent("slow", g -> g.slowDown(Duration.ofSeconds(1)));
    start("10s");
    Harness.await(
        Duration.ofSeconds(30),
        "slow polled",
        () ->
            Double.valueOf(1)
                .equals(Series.find(harness.scrapeQuietly(), "qga_up", "domain", "slow")));
    probe("/metrics");
    long baseline = Math.max(probe("/metrics"), probe("/-/healthy"));

    List<CompletableFuture<HttpResponse<String>>> waits = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      waits.add(post("/api/v1/domains/slow/fstrim?queue=true&wait=30s", OPERATOR));
    }
    Thread.sleep(300);
    long bound = 2000 + 10 * baseline;
    for (int i = 0; i < 5; i++) {
      assertThat(probe("/metrics")).as("/metrics while 6 requests wait").isLessThan(bound);
      assertThat(probe("/-/healthy")).isLessThan(bound);
    }
    int waited = 0;
    for (CompletableFuture<HttpResponse<String>> f : waits) {
      HttpResponse<String> r = f.join();
      assertThat(r.statusCode()).as(r.body()).isIn(200, 202);
      if (r.statusCode() == 200) {
        waited++;
      }
    }
    assertThat(waited).as("requests that waited for their job").isBetween(1, 2);
  }
}
