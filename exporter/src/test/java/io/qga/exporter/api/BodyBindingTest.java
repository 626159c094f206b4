package io.qga.exporter.api;

import static io.qga.exporter.api.ApiTestServer.ADMIN;
import static io.qga.exporter.api.ApiTestServer.OPERATOR;
import static io.qga.exporter.api.ApiTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.qga.sim.SimulatedGuest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request bodies bound to the records in {@link Bodies}: the exact messages the API gave when it
 * checked bodies field by field, no coercion by the JSON library, and nothing sent to the guest for
 * a refused body.
 */
class BodyBindingTest {
  @TempDir Path stateDir;
  ApiTestServer server;
  SimulatedGuest guest;

  @BeforeEach
  void setUp() throws Exception {
    server = new ApiTestServer(stateDir);
    guest = server.addGuest("web-1");
    server.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    server.close();
  }

  record Case(String verb, String token, String body, String field, String error) {}

  @Test
  void eachRefusalNamesTheFieldWithTheSameMessage() throws Exception {
    for (Case c :
        List.of(
            // Jackson would coerce these to 5 and 1; the API never guesses
            new Case(
                "fstrim",
                OPERATOR,
                "{\"minimum\": \"5\"}",
                "minimum",
                "minimum must be an integer >= 0 (bytes), not \"5\""),
            new Case(
                "fstrim",
                OPERATOR,
                "{\"minimum\": 1.5}",
                "minimum",
                "minimum must be an integer >= 0 (bytes), not 1.5"),
            new Case(
                "fstrim",
                OPERATOR,
                "{\"minimum\": 0, \"extra\": 1}",
                "extra",
                "unknown field \"extra\" (allowed: minimum)"),
            new Case(
                "fsthaw",
                OPERATOR,
                "{\"now\": true}",
                "now",
                "unknown field \"now\" (this endpoint takes no body)"),
            new Case(
                "command",
                ADMIN,
                "{\"execute\": \"guest-info\", \"x\": 1}",
                "x",
                "unknown field \"x\" (allowed: arguments, execute)"),
            new Case(
                "time-sync",
                OPERATOR,
                "{\"source\": 1}",
                "source",
                "source must be \"host\" or \"rtc\", not 1"),
            new Case(
                "shutdown",
                ADMIN,
                "{\"mode\": true}",
                "mode",
                "mode must be \"powerdown\", \"reboot\" or \"halt\", not true"),
            new Case(
                "fsfreeze",
                OPERATOR,
                "{\"deadline\": true}",
                "deadline",
                "deadline must be a duration like \"60s\""),
            new Case(
                "fsfreeze",
                OPERATOR,
                "{\"deadline\": 0}",
                "deadline",
                "deadline must be at least 1s"),
            new Case(
                "command",
                ADMIN,
                "{\"execute\": \"Guest Info\"}",
                "execute",
                "execute must be an agent command name like \"guest-get-osinfo\""))) {
      HttpResponse<String> r =
          server.post("/api/v1/domains/web-1/" + c.verb(), c.token(), c.body());
      assertThat(r.statusCode()).as(c.toString()).isEqualTo(400);
      JsonNode body = json(r);
      assertThat(body.path("field").asText()).as(c.toString()).isEqualTo(c.field());
      assertThat(body.path("error").asText()).as(c.toString()).isEqualTo(c.error());
      assertThat(body.path("status").asInt()).as(c.toString()).isEqualTo(400);
    }
    assertThat(guest.frozen()).isFalse();
    assertThat(guest.poweredOn()).isTrue();
  }

  @Test
  void nullIsAbsentAndStrictParsingStays() throws Exception {
    HttpResponse<String> ok =
        server.post("/api/v1/domains/web-1/fstrim?wait=10s", OPERATOR, "{\"minimum\": null}");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(json(ok).path("state").asText()).isEqualTo("succeeded");
    // duplicate members and trailing text are errors, not a choice between two values
    assertThat(
            server
                .post("/api/v1/domains/web-1/fstrim", OPERATOR, "{\"minimum\": 1, \"minimum\": 2}")
                .statusCode())
        .isEqualTo(400);
    assertThat(
            server
                .post("/api/v1/domains/web-1/fstrim", OPERATOR, "{\"minimum\": 1} {}")
                .statusCode())
        .isEqualTo(400);
  }

  @Test
  void anUnknownDomainIsFoundBeforeThePassthroughChecksItsCommand() throws Exception {
    HttpResponse<String> r = server.post("/api/v1/domains/db-9/command", ADMIN, "{\"execute\": 5}");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json(r).path("error").asText()).isEqualTo("unknown domain: db-9");
  }
}
