package io.qga.exporter.api;

import static io.qga.exporter.api.ApiTestServer.OPERATOR;
import static io.qga.exporter.api.ApiTestServer.await;
import static io.qga.exporter.api.ApiTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.qga.exporter.action.AuditLog;
import io.qga.exporter.action.FreezeGuard;
import io.qga.sim.SimulatedGuest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FreezeGuardTest {
  @TempDir Path stateDir;

  @Test
  void aFreezeNobodyThawsIsThawedByTheDeadline() throws Exception {
    try (ApiTestServer server = new ApiTestServer(stateDir)) {
      SimulatedGuest guest = server.addGuest("db-1");
      server.start();
      Instant asked = Instant.now();
      HttpResponse<String> r =
          server.post("/api/v1/domains/db-1/fsfreeze?wait=10s", OPERATOR, "{\"deadline\": \"3s\"}");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(json(r).path("state").asText()).isEqualTo("succeeded");
      assertThat(guest.frozen()).isTrue();
      assertThat(Files.readString(stateDir.resolve(FreezeGuard.FILE)))
          .contains("db-1")
          .contains("ansible");

      // nobody thaws: the exporter does, by the deadline
      await(() -> !guest.frozen(), Duration.ofSeconds(10), "thawed by the exporter");
      Duration took = Duration.between(asked, Instant.now());
      assertThat(took).isLessThan(Duration.ofSeconds(5)).isGreaterThan(Duration.ofMillis(1500));
      await(
          () -> !read(stateDir.resolve(FreezeGuard.FILE)).contains("db-1"),
          Duration.ofSeconds(5),
          "promise forgotten");
      // the thaw is audited once its job ends, just after the guest is thawed
      await(
          () -> read(stateDir.resolve(AuditLog.FILE)).contains("\"action\":\"fsthaw\""),
          Duration.ofSeconds(5),
          "thaw audited");
      assertThat(Files.readString(stateDir.resolve(AuditLog.FILE)))
          .contains("\"trigger\":\"deadline\"")
          .contains("\"origin\":\"api:ansible\"");
    }
  }

  @Test
  void afterARestartEveryGuestItFrozeIsCheckedAndThawed() throws Exception {
    try (ApiTestServer server = new ApiTestServer(stateDir)) {
      SimulatedGuest guest = server.addGuest("db-1");
      server.start();
      HttpResponse<String> r =
          server.post("/api/v1/domains/db-1/fsfreeze?wait=10s", OPERATOR, "{\"deadline\": \"5m\"}");
      assertThat(json(r).path("state").asText()).isEqualTo("succeeded");
      assertThat(guest.frozen()).isTrue();

      // a crash: nothing runs the clean stop's thaw, the promise stays on disk
      server.http.close();
      server.api.guardForTests().close();
      server.executor.close();
      assertThat(guest.frozen()).isTrue();

      long statusBefore = guest.commandCount("guest-fsfreeze-status");
      server.start();
      await(() -> !guest.frozen(), Duration.ofSeconds(10), "thawed at start");
      assertThat(guest.commandCount("guest-fsfreeze-status")).isGreaterThan(statusBefore);
      await(
          () -> !read(stateDir.resolve(FreezeGuard.FILE)).contains("db-1"),
          Duration.ofSeconds(5),
          "promise forgotten");
      await(
          () -> read(stateDir.resolve(AuditLog.FILE)).contains("\"trigger\":\"restart\""),
          Duration.ofSeconds(5),
          "restart thaw audited");
    }
  }

  @Test
  void aCleanStopThawsWhatItFroze() throws Exception {
    try (ApiTestServer server = new ApiTestServer(stateDir)) {
      SimulatedGuest guest = server.addGuest("db-1");
      server.start();
      server.post("/api/v1/domains/db-1/fsfreeze?wait=10s", OPERATOR, "{}");
      assertThat(guest.frozen()).isTrue();
      server.stopExporter();
      assertThat(guest.frozen()).isFalse();
      assertThat(read(stateDir.resolve(FreezeGuard.FILE))).doesNotContain("db-1");
    }
  }

  @Test
  void aThawThatCannotRunIsRetriedUntilTheAgentAnswers() throws Exception {
    try (ApiTestServer server = new ApiTestServer(stateDir)) {
      SimulatedGuest guest = server.addGuest("db-1");
      server.start();
      FreezeGuard guard = server.api.guardForTests();
      guard.retryEvery(Duration.ofMillis(200));
      server.post("/api/v1/domains/db-1/fsfreeze?wait=10s", OPERATOR, "{\"deadline\": \"2s\"}");
      assertThat(guest.frozen()).isTrue();
      // the agent stops answering before the deadline; thaws fail and are retried
      guest.setResponding(false);
      long thawsBefore = guest.commandCount("guest-fsfreeze-thaw");
      await(
          () ->
              guest.commandCount("guest-fsfreeze-status")
                      + guest.commandCount("guest-fsfreeze-thaw")
                  > thawsBefore + 1,
          Duration.ofSeconds(30),
          "thaw attempted");
      assertThat(guest.frozen()).isTrue();
      guest.setResponding(true);
      await(() -> !guest.frozen(), Duration.ofSeconds(30), "thawed once the agent answers");
    }
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
