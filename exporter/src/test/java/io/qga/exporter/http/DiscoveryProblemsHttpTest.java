package io.qga.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What discovery could not read shows on {@code /-/ready} (503) and on the landing page. */
class DiscoveryProblemsHttpTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicReference<List<String>> problems = new AtomicReference<>(List.of());
  private HttpEndpoint endpoint;

  @AfterEach
  void stop() {
    if (endpoint != null) {
      endpoint.close();
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readyAnswers503NamingEachProblemAndRecovers() throws Exception {
    endpoint =
        HttpEndpoint.builder()
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .discoveryProblems(problems::get)
            .start();
    assertThat(get("/-/ready").statusCode()).isEqualTo(200);
    assertThat(get("/").body()).doesNotContain("Discovery cannot read");

    problems.set(List.of("cannot list /run/<qga> as user u. Fix: x", "second"));
    HttpResponse<String> ready = get("/-/ready");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body())
        .isEqualTo(
            "Not ready: discovery cannot read every source:\n"
                + "cannot list /run/<qga> as user u. Fix: x\n"
                + "second\n");
    String page = get("/").body();
    assertThat(page)
        .contains("Discovery cannot read every source")
        .contains("<li>cannot list /run/&lt;qga&gt; as user u. Fix: x</li>")
        .contains("<li>second</li>");

    problems.set(List.of());
    assertThat(get("/-/ready").statusCode()).isEqualTo(200);
  }
}
