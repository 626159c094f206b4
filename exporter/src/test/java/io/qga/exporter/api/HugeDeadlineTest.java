package io.qga.exporter.api;

import static io.qga.exporter.api.ApiTestServer.OPERATOR;
import static io.qga.exporter.api.ApiTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.qga.sim.SimulatedGuest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A deadline too long to add to the clock is a 400 naming the field, not a 500. */
class HugeDeadlineTest {
  @TempDir Path stateDir;
  private ApiTestServer server;
  private SimulatedGuest guest;

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

  @Test
  void aHugeDeadlineIs400NamingTheField() throws Exception {
    for (String body :
        List.of(
            "{\"deadline\": \"9999999999999h\"}",
            "{\"deadline\": \"999999999999d\"}",
            "{\"deadline\": \"999999999999h\"}",
            "{\"deadline\": 9223372036854775807}",
            "{\"deadline\": 99999999999999999999999}",
            "{\"deadline\": -9223372036854775808}")) {
      HttpResponse<String> r = server.post("/api/v1/domains/web-1/fsfreeze", OPERATOR, body);
      assertThat(r.statusCode()).as(body + " -> " + r.body()).isEqualTo(400);
      assertThat(json(r).path("field").asText()).as(body).isEqualTo("deadline");
      assertThat(json(r).path("error").asText()).as(body).contains("deadline");
    }
    assertThat(guest.commandCount("guest-fsfreeze-freeze")).isZero();
    assertThat(guest.frozen()).isFalse();
  }
}
