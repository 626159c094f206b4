package io.qga.exporter.api;

import static io.qga.exporter.api.ApiTestServer.OPERATOR;
import static io.qga.exporter.api.ApiTestServer.await;
import static io.qga.exporter.api.ApiTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.qga.exporter.action.FreezeGuard;
import io.qga.sim.SimulatedGuest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fsfreeze.json with a bad entry, and a promise whose domain is gone for a while. */
class FreezePromisesTest {
  @TempDir Path stateDir;
  private final List<String> logged = new CopyOnWriteArrayList<>();
  private final Logger log = Logger.getLogger(FreezeGuard.class.getName());
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          logged.add(r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void listen() {
    log.addHandler(capture);
  }

  @AfterEach
  void stopListening() {
    log.removeHandler(capture);
  }

  @Test
  void oneBadEntryDoesNotCostTheValidPromise() throws Exception {
    try (ApiTestServer server = new ApiTestServer(stateDir)) {
      SimulatedGuest guest = server.addGuest("db-1");
      server.start();
      HttpResponse<String> r =
          server.post("/api/v1/domains/db-1/fsfreeze?wait=10s", OPERATOR, "{\"deadline\": \"5m\"}");
      assertThat(json(r).path("state").asText()).isEqualTo("succeeded");
      // a crash, and the file gets a garbage entry beside the valid promise
      server.http.close();
      server.api.guardForTests().close();
      server.executor.close();
      Path file = stateDir.resolve(FreezeGuard.FILE);
      String valid = Files.readString(file);
      String withGarbage =
          valid.replaceFirst(
              "\"frozen\"\\s*:\\s*\\{",
              "\"frozen\" : { \"web-9\": {\"until\": \"next tuesday\", \"token\": 5}, \"x\": 17,");
      assertThat(withGarbage).isNotEqualTo(valid);
      Files.writeString(file, withGarbage);
      assertThat(guest.frozen()).isTrue();

      server.start();
      await(() -> !guest.frozen(), Duration.ofSeconds(10), "the valid promise thawed at start");
      assertThat(logged)
          .anyMatch(
              m ->
                  m.contains("\"web-9\"") && m.contains("\"x\"") && m.contains("kept the 1 valid"));
      assertThat(Files.readString(stateDir.resolve(FreezeGuard.FILE + ".corrupt")))
          .contains("next tuesday");
    }
  }

  @Test
  void aValidPromiseBesideABadEntryIsThawedAtItsDeadline() throws Exception {
    try (ApiTestServer server = new ApiTestServer(stateDir)) {
      SimulatedGuest guest = server.addGuest("db-2");
      // frozen by an earlier run that wrote a promise ending in 3 s, beside a broken entry
      server
          .channels
          .get("db-2")
          .execute(
              io.qga.client.AgentCommand.of("guest-fsfreeze-freeze", null), Duration.ofSeconds(5));
      assertThat(guest.frozen()).isTrue();
      Instant until = Instant.now().plusSeconds(3);
      Files.createDirectories(stateDir);
      Files.writeString(
          stateDir.resolve(FreezeGuard.FILE),
          "{\"version\": 1, \"frozen\": {"
              + "\"db-2\": {\"until\": \""
              + until
              + "\", \"token\": \"ansible\", \"since\": \""
              + Instant.now()
              + "\"},"
              + "\"broken\": []}}");
      server.start();
      await(() -> !guest.frozen(), Duration.ofSeconds(10), "db-2 thawed");
      assertThat(logged).anyMatch(m -> m.contains("\"broken\""));
    }
  }

  @Test
  void aPromiseForAVanishedDomainBacksOffLogsOnceAndThawsWhenItComesBack() throws Exception {
    try (ApiTestServer server = new ApiTestServer(stateDir)) {
      SimulatedGuest guest = server.addGuest("db-3");
      server.start();
      FreezeGuard guard = server.api.guardForTests();
      guard.retryEvery(Duration.ofMillis(50));
      HttpResponse<String> r =
          server.post("/api/v1/domains/db-3/fsfreeze?wait=10s", OPERATOR, "{\"deadline\": \"2s\"}");
      assertThat(json(r).path("state").asText()).isEqualTo("succeeded");
      server.domains.remove("db-3"); // the domain vanishes before its deadline
      await(
          () -> logged.stream().anyMatch(m -> m.startsWith("cannot thaw db-3")),
          Duration.ofSeconds(10),
          "the first failed thaw");
      // at a fixed 50 ms that would be 130 attempts and as many log lines; backing off, the
      // attempts fall at 0.05, 0.15, 0.35, 0.75, 1.55, 3.15, 6.35 s, the next at 12.75 s
      Thread.sleep(6500);
      long lines = logged.stream().filter(m -> m.startsWith("cannot thaw db-3")).count();
      assertThat(lines).as("log lines while the domain stays away").isEqualTo(1);
      assertThat(Files.readString(stateDir.resolve(FreezeGuard.FILE)))
          .as("the promise is kept")
          .contains("db-3");
      assertThat(guest.frozen()).isTrue();

      // back: discovered again, its agent comes up: thawed at once, not at the end of the backoff
      server.domains.add("db-3", server.channels.get("db-3"));
      server.domains.listeners().forEach(l -> l.onAgentUp(server.domains.get("db-3")));
      await(() -> !guest.frozen(), Duration.ofMillis(2500), "thawed once the domain is back");
    }
  }
}
