package io.qga.exporter.api;

import static io.qga.exporter.api.ApiTestServer.ADMIN;
import static io.qga.exporter.api.ApiTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.qga.exporter.action.FreezeGuard;
import io.qga.exporter.config.ApiConfig;
import io.qga.exporter.config.ExecConfig;
import io.qga.sim.SimulatedGuest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The passthrough never freezes, thaws or shuts a guest down around the exporter's guards, even
 * when the allow-list matches: the agent gets nothing, and the answer names the endpoint to use.
 */
class PassthroughGuardTest {
  @TempDir Path stateDir;

  @Test
  void theFreezeFamilyAndShutdownAreRefusedWithTheDedicatedEndpoint() throws Exception {
    try (ApiTestServer server = new ApiTestServer(stateDir)) {
      SimulatedGuest guest = server.addGuest("db-1");
      ApiConfig d = server.apiConfig(ApiTestServer.tokens(server.tokenFile));
      ApiConfig wide =
          new ApiConfig(
              d.tokens(),
              List.of("guest-info", "guest-fsfreeze-*", "guest-shutdown", "guest-fstrim"),
              d.fsfreezeDefaultDeadline(),
              d.fsfreezeMaxDeadline(),
              d.maxBody(),
              d.jobRetention(),
              d.maxWait(),
              ApiConfig.DEFAULT_MAX_LIVE_CALLS,
              Optional.empty(),
              ExecConfig.DEFAULT);
      server.start(wide, Optional.empty(), null);

      String[][] cases = {
        {"guest-fsfreeze-freeze", "{}", "/fsfreeze"},
        {"guest-fsfreeze-freeze-list", "{\"mountpoints\": [\"/\"]}", "/fsfreeze"},
        {"guest-fsfreeze-thaw", "{}", "/fsthaw"},
        {"guest-shutdown", "{\"mode\": \"powerdown\"}", "/shutdown"},
      };
      for (String[] c : cases) {
        HttpResponse<String> r =
            server.post(
                "/api/v1/domains/db-1/command",
                ADMIN,
                "{\"execute\": \"" + c[0] + "\", \"arguments\": " + c[1] + "}");
        assertThat(r.statusCode()).as(c[0] + ": " + r.body()).isEqualTo(403);
        assertThat(json(r).path("error").asText())
            .contains(c[0])
            .contains("POST /api/v1/domains/db-1" + c[2]);
        assertThat(json(r).path("use").asText()).isEqualTo("POST /api/v1/domains/db-1" + c[2]);
        assertThat(guest.commandCount(c[0])).as(c[0] + " reached the agent").isZero();
      }
      assertThat(guest.frozen()).isFalse();
      assertThat(server.api.guardForTests().promised("db-1")).isEmpty();

      // read-only status still passes through; so does an allow-listed command that is not guarded
      HttpResponse<String> status =
          server.post(
              "/api/v1/domains/db-1/command", ADMIN, "{\"execute\": \"guest-fsfreeze-status\"}");
      assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
      HttpResponse<String> trim =
          server.post("/api/v1/domains/db-1/command", ADMIN, "{\"execute\": \"guest-fstrim\"}");
      assertThat(trim.statusCode()).as(trim.body()).isEqualTo(200);

      // the dedicated endpoint freezes with a durable promise and a deadline
      HttpResponse<String> freeze =
          server.post(
              "/api/v1/domains/db-1/fsfreeze?wait=10s",
              ApiTestServer.OPERATOR,
              "{\"deadline\": \"2m\"}");
      assertThat(json(freeze).path("state").asText()).as(freeze.body()).isEqualTo("succeeded");
      assertThat(Files.readString(stateDir.resolve(FreezeGuard.FILE))).contains("db-1");
      HttpResponse<String> view = server.get("/api/v1/domains/db-1", ApiTestServer.READER);
      assertThat(view.body()).contains("\"frozen\" : true");
      server.stopExporter();
      assertThat(guest.frozen()).isFalse();
    }
  }
}
