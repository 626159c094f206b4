package io.qga.exporter.api;

import static io.qga.exporter.api.ApiTestServer.OPERATOR;
import static io.qga.exporter.api.ApiTestServer.READER;
import static io.qga.exporter.api.ApiTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.qga.sim.SimulatedGuest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many clients at once on one domain: one action at a time, none lost. */
class ApiHandlerTest {
  @TempDir Path stateDir;
  ApiTestServer server;
  SimulatedGuest guest;
  ExecutorService clients;

  @BeforeEach
  void setUp() throws Exception {
    server = new ApiTestServer(stateDir);
    guest = server.addGuest("web-1");
    guest.setSlowDown(Duration.ofMillis(20));
    server.start();
    clients = Executors.newFixedThreadPool(50);
  }

  @AfterEach
  void tearDown() throws Exception {
    clients.shutdownNow();
    server.close();
  }

  private List<HttpResponse<String>> fire(int n, String path) throws Exception {
    List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      calls.add(() -> server.post(path, OPERATOR, "{}"));
    }
    List<HttpResponse<String>> out = new ArrayList<>();
    for (Future<HttpResponse<String>> f : clients.invokeAll(calls)) {
      out.add(f.get());
    }
    return out;
  }

  private JsonNode finished(String job) throws Exception {
    HttpResponse<String> r = server.get("/api/v1/jobs/" + job + "?wait=20s", READER);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode j = json(r);
    assertThat(j.path("state").asText()).as(job).isEqualTo("succeeded");
    return j;
  }

  @Test
  void fiftyParallelFstrimsRunOneAtATimeAndTheRestAre409NamingTheRunningJob() throws Exception {
    List<HttpResponse<String>> replies = fire(50, "/api/v1/domains/web-1/fstrim");
    List<String> accepted = new ArrayList<>();
    for (HttpResponse<String> r : replies) {
      assertThat(r.statusCode()).as(r.body()).isIn(202, 409);
      if (r.statusCode() == 202) {
        accepted.add(json(r).path("job").asText());
      } else {
        assertThat(json(r).path("busy_job").asText()).startsWith("j-");
      }
    }
    assertThat(accepted).isNotEmpty();
    for (String job : accepted) {
      finished(job);
    }
    assertThat(guest.commandCount("guest-fstrim")).isEqualTo(accepted.size());
    assertThat(server.channels.get("web-1").maxInFlight("guest-fstrim")).isEqualTo(1);
  }

  @Test
  void fiftyQueuedFstrimsAllRunOneAtATime() throws Exception {
    List<HttpResponse<String>> replies = fire(50, "/api/v1/domains/web-1/fstrim?queue=true");
    List<String> accepted = new ArrayList<>();
    for (HttpResponse<String> r : replies) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      accepted.add(json(r).path("job").asText());
    }
    assertThat(accepted).doesNotHaveDuplicates().hasSize(50);
    for (String job : accepted) {
      finished(job);
    }
    assertThat(guest.commandCount("guest-fstrim")).isEqualTo(50);
    assertThat(server.channels.get("web-1").maxInFlight("guest-fstrim")).isEqualTo(1);
  }
}
