package io.qga.exporter.api;

import static io.qga.exporter.api.ApiTestServer.OPERATOR;
import static io.qga.exporter.api.ApiTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.qga.sim.SimulatedGuest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Strict request parsing over real HTTP: what a client meant is never guessed. Each case was
 * accepted before (a duplicate {@code dry_run} ran a real fstrim).
 */
class StrictRequestTest {
  @TempDir Path stateDir;
  ApiTestServer server;
  SimulatedGuest web1;

  @BeforeEach
  void setUp() throws Exception {
    server = new ApiTestServer(stateDir);
    web1 = server.addGuest("web-1");
    server.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    server.close();
  }

  private HttpResponse<String> post(String path, String contentType, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.uri(path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + OPERATOR);
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    b.POST(
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return server.client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aQueryParameterGivenTwiceIs400AndNothingRuns() throws Exception {
    for (String q :
        new String[] {
          "dry_run=true&dry_run=false", "dry_run=false&dry_run=true", "wait=1s&wait=2s"
        }) {
      HttpResponse<String> r = post("/api/v1/domains/web-1/fstrim?" + q, null, null);
      assertThat(r.statusCode()).as(q).isEqualTo(400);
      assertThat(json(r).path("error").asText()).contains("more than once");
      assertThat(json(r).path("field").asText()).isIn("dry_run", "wait");
    }
    Thread.sleep(300);
    assertThat(web1.commandCount("guest-fstrim")).isZero();
  }

  @Test
  void duplicateKeysAndTrailingDataAre400NamingWhatWasWrong() throws Exception {
    HttpResponse<String> dup =
        post(
            "/api/v1/domains/web-1/fstrim?dry_run=true",
            "application/json",
            "{\"minimum\": 0, \"minimum\": 1}");
    assertThat(dup.statusCode()).isEqualTo(400);
    assertThat(json(dup).path("error").asText()).contains("Duplicate field 'minimum'");

    for (String body :
        new String[] {"{\"minimum\": 0} {\"minimum\": 1}", "{\"minimum\": 0}garbage", "{} []"}) {
      HttpResponse<String> r =
          post("/api/v1/domains/web-1/fstrim?dry_run=true", "application/json", body);
      assertThat(r.statusCode()).as(body).isEqualTo(400);
      assertThat(json(r).path("error").asText()).as(body).startsWith("the body is not valid JSON");
    }
    assertThat(web1.commandCount("guest-fstrim")).isZero();
  }

  @Test
  void aBodyMustBeLabelledApplicationJsonExactly() throws Exception {
    String body = "{\"minimum\": 0}";
    for (String type :
        new String[] {
          "application/jsonx",
          "application/json-patch+json",
          "application/x-www-form-urlencoded",
          "text/plain",
          "application/json; charset=latin1"
        }) {
      HttpResponse<String> r = post("/api/v1/domains/web-1/fstrim?dry_run=true", type, body);
      assertThat(r.statusCode()).as(type).isEqualTo(415);
      assertThat(json(r).path("error").asText()).as(type).contains("application/json");
    }
    HttpResponse<String> unlabelled = post("/api/v1/domains/web-1/fstrim?dry_run=true", null, body);
    assertThat(unlabelled.statusCode()).isEqualTo(415);
    assertThat(json(unlabelled).path("error").asText()).contains("Content-Type: application/json");

    assertThat(
            post("/api/v1/domains/web-1/fstrim?dry_run=true", "application/json", body)
                .statusCode())
        .isIn(200, 202);
    assertThat(
            post(
                    "/api/v1/domains/web-1/fstrim?dry_run=true",
                    "Application/JSON; charset=UTF-8",
                    body)
                .statusCode())
        .isIn(200, 202);
    // no body: nothing to label, with or without a Content-Type
    assertThat(post("/api/v1/domains/web-1/fstrim?dry_run=true", null, null).statusCode())
        .isIn(200, 202);
    assertThat(
            post(
                    "/api/v1/domains/web-1/fstrim?dry_run=true",
                    "application/x-www-form-urlencoded",
                    null)
                .statusCode())
        .isIn(200, 202);
    assertThat(web1.commandCount("guest-fstrim")).isZero();
  }
}
