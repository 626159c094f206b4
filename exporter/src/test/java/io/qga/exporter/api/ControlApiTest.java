package io.qga.exporter.api;

import static io.qga.exporter.api.ApiTestServer.ADMIN;
import static io.qga.exporter.api.ApiTestServer.OPERATOR;
import static io.qga.exporter.api.ApiTestServer.READER;
import static io.qga.exporter.api.ApiTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.qga.exporter.action.AuditLog;
import io.qga.exporter.action.FreezeGuard;
import io.qga.exporter.config.ApiConfig;
import io.qga.exporter.config.Policy;
import io.qga.exporter.config.PolicyAction;
import io.qga.exporter.config.PolicyDefaults;
import io.qga.exporter.config.PolicyMatch;
import io.qga.exporter.config.TokenSource;
import io.qga.exporter.policy.PolicyEngine;
import io.qga.sim.SimulatedGuest;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlApiTest {
  @TempDir Path stateDir;
  ApiTestServer server;
  SimulatedGuest web1;

  @BeforeEach
  void setUp() throws IOException {
    server = new ApiTestServer(stateDir);
    web1 = server.addGuest("web-1");
    server.addGuest("web-2");
  }

  @AfterEach
  void tearDown() throws IOException {
    server.close();
  }

  @Test
  void withoutTokensEveryApiRequestIs403SayingHowToEnableIt() throws Exception {
    ApiConfig off = server.apiConfig(List.of());
    server.start(off, Optional.empty(), null);
    for (String path :
        List.of(
            "/api/v1/domains", "/api/v1/domains/web-1", "/api/v1/openapi.json", "/api/nothing")) {
      HttpResponse<String> r = server.get(path, ADMIN);
      assertThat(r.statusCode()).as(path).isEqualTo(403);
      assertThat(json(r).path("error").asText()).contains("api.tokens").contains("token_file");
    }
    assertThat(server.post("/api/v1/domains/web-1/fstrim", null, "{}").statusCode()).isEqualTo(403);
    // without tokens, reload stays open as before (the daemon's default)
    assertThat(server.post("/-/reload", null, null).statusCode()).isEqualTo(200);
    assertThat(web1.commandCount("guest-fstrim")).isZero();
  }

  @Test
  void missingMalformedAndWrongTokensAre401WithAChallenge() throws Exception {
    server.start();
    HttpResponse<String> none = server.get("/api/v1/domains", null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    assertThat(json(none).path("status").asInt()).isEqualTo(401);

    HttpRequest basic =
        HttpRequest.newBuilder(server.uri("/api/v1/domains"))
            .header("Authorization", "Basic YTpi")
            .build();
    assertThat(server.client.send(basic, HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(401);

    HttpResponse<String> wrong = server.get("/api/v1/domains", READER + "x");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(json(wrong).path("error").asText()).isEqualTo("invalid token");
    assertThat(server.get("/api/v1/domains", "x".repeat(10_000)).statusCode()).isEqualTo(401);
  }

  @Test
  void aRoleTooLowIs403AndNothingRuns() throws Exception {
    server.start();
    HttpResponse<String> r = server.post("/api/v1/domains/web-1/fstrim", READER, "{}");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(json(r).path("error").asText())
        .contains("grafana")
        .contains("reader")
        .contains("operator");
    assertThat(server.post("/api/v1/domains/web-1/shutdown", OPERATOR, "{}").statusCode())
        .isEqualTo(403);
    assertThat(
            server
                .post("/api/v1/domains/web-1/command", OPERATOR, "{\"execute\":\"guest-ping\"}")
                .statusCode())
        .isEqualTo(403);
    assertThat(server.post("/-/reload", OPERATOR, null).statusCode()).isEqualTo(403);
    assertThat(web1.commandCount("guest-fstrim")).isZero();
    assertThat(web1.lastShutdownMode()).isNull();
  }

  @Test
  void aRotatedTokenFileTakesEffectWithoutReload() throws Exception {
    server.start();
    assertThat(server.get("/api/v1/domains", "first-rotating-token").statusCode()).isEqualTo(200);
    Files.writeString(server.tokenFile, "second-rotating-token-longer\n");
    Files.setLastModifiedTime(server.tokenFile, FileTime.from(Instant.now().plusSeconds(5)));
    assertThat(server.get("/api/v1/domains", "first-rotating-token").statusCode()).isEqualTo(401);
    assertThat(server.get("/api/v1/domains", "second-rotating-token-longer").statusCode())
        .isEqualTo(200);
    Files.delete(server.tokenFile);
    assertThat(server.get("/api/v1/domains", "second-rotating-token-longer").statusCode())
        .isEqualTo(401);
    assertThat(server.get("/api/v1/domains", READER).statusCode()).isEqualTo(200);
  }

  @Test
  void listsDomainsAndServesCachedGuestDataWithoutAskingTheGuest() throws Exception {
    server.start();
    var d = server.domains.get("web-1");
    d.setReply(
        "guest-info",
        ApiTestServer.JSON.readTree(
            "{\"version\":\"7.2.22\",\"supported_commands\":[{\"name\":\"guest-ping\",\"enabled\":true},"
                + "{\"name\":\"guest-exec\",\"enabled\":false}]}"));
    d.setReply(
        "guest-get-host-name", ApiTestServer.JSON.readTree("{\"host-name\":\"web-1.example\"}"));
    d.setReply(
        "guest-get-osinfo",
        ApiTestServer.JSON.readTree(
            "{\"id\":\"debian\",\"name\":\"Debian GNU/Linux\",\"pretty-name\":\"Debian"
                + " 12\",\"version-id\":\"12\","
                + "\"kernel-release\":\"6.1.0\",\"machine\":\"x86_64\"}"));
    d.setReply(
        "guest-network-get-interfaces",
        ApiTestServer.JSON.readTree(
            "[{\"name\":\"lo\",\"ip-addresses\":[{\"ip-address\":\"127.0.0.1\",\"ip-address-type\":\"ipv4\",\"prefix\":8}]},"
                + "{\"name\":\"eth0\",\"hardware-address\":\"52:54:00:12:34:56\",\"ip-addresses\":["
                + "{\"ip-address\":\"192.0.2.10\",\"ip-address-type\":\"ipv4\",\"prefix\":24},"
                + "{\"ip-address\":\"2001:db8::10\",\"ip-address-type\":\"ipv6\",\"prefix\":64}]}]"));
    d.setReply(
        "guest-get-fsinfo",
        ApiTestServer.JSON.readTree(
            "[{\"name\":\"vda1\",\"mountpoint\":\"/\",\"type\":\"ext4\",\"used-bytes\":100,\"total-bytes\":1000,"
                + "\"disk\":[{\"dev\":\"/dev/vda1\"}]}]"));
    d.setReply(
        "guest-get-users",
        ApiTestServer.JSON.readTree("[{\"user\":\"alice\",\"login-time\":1700000000.5}]"));
    d.setReply(
        "guest-get-timezone", ApiTestServer.JSON.readTree("{\"zone\":\"CET\",\"offset\":3600}"));
    long before = web1.commandCounts().values().stream().mapToLong(Long::longValue).sum();

    JsonNode list = json(server.get("/api/v1/domains", READER));
    assertThat(list.path("domains")).hasSize(2);
    JsonNode first = list.path("domains").get(0);
    assertThat(first.path("name").asText()).isEqualTo("web-1");
    assertThat(first.path("up").asBoolean()).isTrue();
    assertThat(first.path("frozen").asBoolean()).isFalse();
    assertThat(first.has("uuid")).isTrue();
    assertThat(first.path("channel").asText()).contains("web-1.sock");

    HttpResponse<String> r = server.get("/api/v1/domains/web-1", READER);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode detail = json(r);
    assertThat(detail.path("hostname").asText()).isEqualTo("web-1.example");
    assertThat(detail.path("supported_commands").toString()).isEqualTo("[\"guest-ping\"]");
    assertThat(detail.path("os").path("pretty_name").asText()).isEqualTo("Debian 12");
    assertThat(detail.path("ip_addresses").toString())
        .isEqualTo("[\"192.0.2.10\",\"2001:db8::10\"]");
    assertThat(detail.path("interfaces").get(1).path("mac").asText())
        .isEqualTo("52:54:00:12:34:56");
    assertThat(detail.path("filesystems").get(0).path("avail_bytes").asLong()).isEqualTo(900);
    assertThat(detail.path("filesystems").get(0).path("device").asText()).isEqualTo("/dev/vda1");
    assertThat(detail.path("users").get(0).path("login_time").asDouble()).isEqualTo(1700000000.5);
    assertThat(detail.path("timezone").path("offset").asInt()).isEqualTo(3600);
    assertThat(detail.path("time_offset_seconds").isNull()).isTrue();
    long after = web1.commandCounts().values().stream().mapToLong(Long::longValue).sum();
    assertThat(after).as("reads never wait on the guest").isEqualTo(before);

    assertThat(server.get("/api/v1/domains/nope", READER).statusCode()).isEqualTo(404);
    assertThat(json(server.get("/api/v1/domains/nope", READER)).path("error").asText())
        .contains("nope");
    assertThat(server.get("/api/v1/nothing", READER).statusCode()).isEqualTo(404);
    HttpResponse<String> wrongMethod = server.post("/api/v1/domains", READER, null);
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET");
  }

  @Test
  void pingIsLiveAnd503WhenTheAgentDoesNotAnswer() throws Exception {
    server.start();
    HttpResponse<String> ok = server.post("/api/v1/domains/web-1/ping", READER, null);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(json(ok).path("ok").asBoolean()).isTrue();
    assertThat(json(ok).path("rtt_seconds").asDouble()).isPositive();
    assertThat(server.post("/api/v1/domains/nope/ping", READER, null).statusCode()).isEqualTo(404);

    web1.setResponding(false);
    HttpResponse<String> down = server.post("/api/v1/domains/web-1/ping", READER, null);
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(json(down).path("tried").asText()).contains("web-1.sock").contains("guest-ping");
  }

  @Test
  void fstrimReturnsAJobThatSucceedsAndIsAuditedWithTheTokenName() throws Exception {
    server.start();
    HttpResponse<String> r =
        server.post("/api/v1/domains/web-1/fstrim", OPERATOR, "{\"minimum\": 0}");
    assertThat(r.statusCode()).isEqualTo(202);
    JsonNode accepted = json(r);
    String id = accepted.path("job").asText();
    assertThat(id).startsWith("j-");
    assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/jobs/" + id);
    assertThat(accepted.path("location").asText()).isEqualTo("/api/v1/jobs/" + id);

    HttpResponse<String> done = server.get("/api/v1/jobs/" + id + "?wait=10s", READER);
    assertThat(done.statusCode()).isEqualTo(200);
    JsonNode job = json(done);
    assertThat(job.path("state").asText()).isEqualTo("succeeded");
    assertThat(job.path("action").asText()).isEqualTo("fstrim");
    assertThat(job.path("origin").asText()).isEqualTo("api:ansible");
    assertThat(job.path("domain").asText()).isEqualTo("web-1");
    assertThat(job.path("result").path("paths").isArray()).isTrue();
    assertThat(job.path("result").has("trimmed_bytes")).isTrue();
    assertThat(job.path("finished").isTextual()).isTrue();
    assertThat(web1.commandCount("guest-fstrim")).isEqualTo(1);

    List<String> audit = Files.readAllLines(stateDir.resolve(AuditLog.FILE));
    assertThat(audit)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("\"origin\":\"api:ansible\"")
                    .contains("\"action\":\"fstrim\""));

    assertThat(server.get("/api/v1/jobs/j-nope", READER).statusCode()).isEqualTo(404);
  }

  @Test
  void waitReturnsTheFinishedJobAt200() throws Exception {
    server.start();
    HttpResponse<String> r =
        server.post("/api/v1/domains/web-1/time-sync?wait=15s", OPERATOR, "{\"source\":\"host\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode job = json(r);
    assertThat(job.path("state").asText()).isEqualTo("succeeded");
    assertThat(job.path("result").path("source").asText()).isEqualTo("host");
    assertThat(job.path("result").has("offset_before_seconds")).isTrue();
    assertThat(web1.lastSetTime()).isNotNull();
  }

  @Test
  void badInputIs400NamingTheField() throws Exception {
    server.start();
    record Case(String path, String body, String field) {}
    for (Case c :
        List.of(
            new Case("fstrim", "{\"minimum\": -1}", "minimum"),
            new Case("fstrim", "{\"minimum\": \"lots\"}", "minimum"),
            new Case("fstrim", "{\"minimun\": 0}", "minimun"),
            new Case("time-sync", "{\"source\": \"ntp\"}", "source"),
            new Case("fsfreeze", "{\"deadline\": \"forever\"}", "deadline"),
            new Case("fsfreeze", "{\"deadline\": \"1h\"}", "deadline"),
            new Case("fsfreeze", "{\"deadline\": \"0\"}", "deadline"),
            new Case("shutdown", "{\"mode\": \"explode\"}", "mode"),
            new Case("command", "{\"execute\": 5}", "execute"),
            new Case("command", "{\"execute\": \"guest-ping\", \"arguments\": []}", "arguments"))) {
      String token = c.path().equals("shutdown") || c.path().equals("command") ? ADMIN : OPERATOR;
      HttpResponse<String> r = server.post("/api/v1/domains/web-1/" + c.path(), token, c.body());
      assertThat(r.statusCode()).as(c.toString()).isEqualTo(400);
      assertThat(json(r).path("field").asText()).as(c.toString()).isEqualTo(c.field());
      assertThat(json(r).path("error").asText()).as(c.toString()).contains(c.field());
    }
    HttpResponse<String> notJson = server.post("/api/v1/domains/web-1/fstrim", OPERATOR, "{nope");
    assertThat(notJson.statusCode()).isEqualTo(400);
    HttpResponse<String> notObject = server.post("/api/v1/domains/web-1/fstrim", OPERATOR, "[1]");
    assertThat(notObject.statusCode()).isEqualTo(400);
    assertThat(server.post("/api/v1/domains/web-1/fstrim?wait=soon", OPERATOR, "{}").statusCode())
        .isEqualTo(400);
    assertThat(server.post("/api/v1/domains/nope/fstrim", OPERATOR, "{}").statusCode())
        .isEqualTo(404);
    assertThat(web1.commandCount("guest-fstrim")).isZero();
  }

  @Test
  void anOversizedBodyIsRefusedBeforeItIsRead() throws Exception {
    server.start();
    String big = "{\"minimum\": 0, \"pad\": \"" + "x".repeat(5000) + "\"}";
    HttpResponse<String> declared = server.post("/api/v1/domains/web-1/fstrim", OPERATOR, big);
    assertThat(declared.statusCode()).isEqualTo(413);
    assertThat(json(declared).path("error").asText()).contains("max_body");
    // chunked: no Content-Length, cut at max_body + 1 bytes
    byte[] bytes = big.getBytes();
    HttpRequest chunked =
        HttpRequest.newBuilder(server.uri("/api/v1/domains/web-1/fstrim"))
            .header("Authorization", "Bearer " + OPERATOR)
            .POST(
                HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(bytes)))
            .build();
    assertThat(server.client.send(chunked, HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(413);
    assertThat(web1.commandCount("guest-fstrim")).isZero();
  }

  @Test
  void dryRunValidatesAndRunsNothing() throws Exception {
    server.start();
    HttpResponse<String> r =
        server.post(
            "/api/v1/domains/web-1/shutdown?dry_run=true&wait=10s", ADMIN, "{\"mode\":\"reboot\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode job = json(r);
    assertThat(job.path("dry_run").asBoolean()).isTrue();
    assertThat(job.path("state").asText()).isEqualTo("succeeded");
    assertThat(job.path("result").path("would_run").asText()).isEqualTo("shutdown");
    assertThat(job.path("arguments").path("mode").asText()).isEqualTo("reboot");
    assertThat(web1.commandCount("guest-shutdown")).isZero();
    assertThat(
            server
                .post("/api/v1/domains/web-1/shutdown?dry_run=true", ADMIN, "{\"mode\":\"off\"}")
                .statusCode())
        .isEqualTo(400);
  }

  @Test
  void shutdownGoesThroughTheAgentAndSilenceIsSuccess() throws Exception {
    server.start();
    HttpResponse<String> r =
        server.post("/api/v1/domains/web-2/shutdown?wait=20s", ADMIN, "{\"mode\":\"halt\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).path("state").asText()).isEqualTo("succeeded");
    assertThat(json(r).path("result").path("mode").asText()).isEqualTo("halt");
    assertThat(json(r).path("origin").asText()).isEqualTo("api:root");
    assertThat(server.guests.get("web-2").lastShutdownMode()).isEqualTo("halt");
  }

  @Test
  void commandPassthroughOnlyForAllowListedCommands() throws Exception {
    server.start();
    HttpResponse<String> ok =
        server.post("/api/v1/domains/web-1/command", ADMIN, "{\"execute\":\"guest-get-osinfo\"}");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(json(ok).path("return").has("kernel-release")).isTrue();

    HttpResponse<String> denied =
        server.post(
            "/api/v1/domains/web-1/command",
            ADMIN,
            "{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"/bin/true\"}}");
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(json(denied).path("error").asText())
        .contains("guest-exec")
        .contains("command_allow_list");
    assertThat(web1.commandCount("guest-exec")).isZero();
    assertThat(
            server
                .post(
                    "/api/v1/domains/web-1/command",
                    ADMIN,
                    "{\"execute\":\"guest-sync-delimited\"}")
                .statusCode())
        .isEqualTo(403);

    // guest-get-load appeared in QEMU 10.0: a 7.2 agent does not know it
    HttpResponse<String> unsupported =
        server.post("/api/v1/domains/web-1/command", ADMIN, "{\"execute\":\"guest-get-load\"}");
    assertThat(unsupported.statusCode()).isEqualTo(422);
    assertThat(json(unsupported).path("unsupported").asBoolean()).isTrue();
    assertThat(json(unsupported).path("class").asText()).isEqualTo("CommandNotFound");

    // allow-listed and not read-only: through the executor, audited with the token's name
    HttpResponse<String> trim =
        server.post(
            "/api/v1/domains/web-1/command",
            ADMIN,
            "{\"execute\":\"guest-fstrim\",\"arguments\":{\"minimum\":0}}");
    assertThat(trim.statusCode()).isEqualTo(200);
    assertThat(json(trim).path("return").path("paths").isArray()).isTrue();
    List<String> audit = Files.readAllLines(stateDir.resolve(AuditLog.FILE));
    assertThat(audit)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("\"action\":\"command\"")
                    .contains("api:root")
                    .contains("argument_names"));

    web1.setResponding(false);
    HttpResponse<String> down =
        server.post(
            "/api/v1/domains/web-1/command", ADMIN, "{\"execute\":\"guest-get-host-name\"}");
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(json(down).path("tried").asText()).contains("guest-get-host-name");
  }

  @Test
  void actionsOnADomainWhoseAgentIsDownAre503AndNothingIsQueued() throws Exception {
    server.start();
    server.domains.get("web-1").setState(false, false);
    HttpResponse<String> r = server.post("/api/v1/domains/web-1/fstrim", OPERATOR, "{}");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(json(r).path("tried").asText()).contains("web-1.sock");
    assertThat(server.executor.active()).isEmpty();
    assertThat(web1.commandCount("guest-fstrim")).isZero();
    // a dry run still answers, with a note
    HttpResponse<String> dry =
        server.post("/api/v1/domains/web-1/fstrim?dry_run=true&wait=5s", OPERATOR, "{}");
    assertThat(dry.statusCode()).isEqualTo(200);
    assertThat(json(dry).path("result").path("notes").toString()).contains("down");
  }

  @Test
  void aBusyDomainIs409NamingTheJobUnlessQueued() throws Exception {
    server.start();
    web1.setSlowDown(Duration.ofMillis(100));
    HttpResponse<String> first = server.post("/api/v1/domains/web-1/fstrim", OPERATOR, "{}");
    assertThat(first.statusCode()).isEqualTo(202);
    String busy = json(first).path("job").asText();
    HttpResponse<String> second = server.post("/api/v1/domains/web-1/time-sync", OPERATOR, "{}");
    assertThat(second.statusCode()).isEqualTo(409);
    assertThat(json(second).path("busy_job").asText()).isEqualTo(busy);
    HttpResponse<String> queued =
        server.post("/api/v1/domains/web-1/time-sync?queue=true&wait=20s", OPERATOR, "{}");
    assertThat(queued.statusCode()).isEqualTo(200);
    assertThat(json(queued).path("state").asText()).isEqualTo("succeeded");
    assertThat(json(server.get("/api/v1/jobs/" + busy, READER)).path("state").asText())
        .isEqualTo("succeeded");
  }

  @Test
  void freezeThenActionsAre409UntilThawed() throws Exception {
    server.start();
    HttpResponse<String> frozen =
        server.post("/api/v1/domains/web-1/fsfreeze?wait=10s", OPERATOR, "{\"deadline\":\"2m\"}");
    assertThat(frozen.statusCode()).isEqualTo(200);
    JsonNode job = json(frozen);
    assertThat(job.path("state").asText()).isEqualTo("succeeded");
    assertThat(job.path("result").path("frozen").asInt()).isPositive();
    assertThat(Instant.parse(job.path("result").path("deadline").asText()))
        .isAfter(Instant.now().plusSeconds(100));
    assertThat(web1.frozen()).isTrue();
    assertThat(json(server.get("/api/v1/domains/web-1", READER)).path("frozen").asBoolean())
        .isTrue();

    HttpResponse<String> trim = server.post("/api/v1/domains/web-1/fstrim", OPERATOR, "{}");
    assertThat(trim.statusCode()).isEqualTo(409);
    assertThat(json(trim).path("frozen").asBoolean()).isTrue();
    assertThat(server.post("/api/v1/domains/web-1/fsfreeze", OPERATOR, "{}").statusCode())
        .isEqualTo(409);

    HttpResponse<String> thaw =
        server.post("/api/v1/domains/web-1/fsthaw?wait=10s", OPERATOR, null);
    assertThat(thaw.statusCode()).isEqualTo(200);
    assertThat(json(thaw).path("result").path("thawed").asInt()).isPositive();
    assertThat(web1.frozen()).isFalse();
    assertThat(Files.readString(stateDir.resolve(FreezeGuard.FILE))).doesNotContain("web-1");
    assertThat(server.post("/api/v1/domains/web-1/fstrim", OPERATOR, "{}").statusCode())
        .isEqualTo(202);
  }

  @Test
  void reloadNeedsAnAdminToken() throws Exception {
    server.start();
    assertThat(server.post("/-/reload", null, null).statusCode()).isEqualTo(401);
    assertThat(server.post("/-/reload", READER, null).statusCode()).isEqualTo(403);
    assertThat(server.get("/-/reload", ADMIN).statusCode()).isEqualTo(405);
    HttpResponse<String> ok = server.post("/-/reload", ADMIN, null);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(json(ok).path("reloaded").asBoolean()).isTrue();
  }

  @Test
  void policiesAreListedAndRunWithTheirDecisions() throws Exception {
    Policy trim =
        new Policy(
            "weekly-trim",
            new PolicyMatch(List.of("web-*"), List.of(), false),
            Optional.of("0 0 3 ? * SUN"),
            Optional.empty(),
            new PolicyAction.Fstrim(0),
            Duration.ofHours(1),
            false,
            OptionalInt.empty(),
            List.of(),
            Optional.empty(),
            Duration.ZERO);
    ApiTestServer s = server;
    s.start(
        s.apiConfig(ApiTestServer.tokens(s.tokenFile)),
        Optional.empty(),
        executor -> new PolicyEngine(List.of(trim), PolicyDefaults.DEFAULT, s.domains, executor));
    JsonNode list = json(s.get("/api/v1/policies", READER));
    assertThat(list.path("policies").get(0).path("name").asText()).isEqualTo("weekly-trim");
    assertThat(list.path("policies").get(0).path("action").asText()).isEqualTo("fstrim");
    assertThat(list.path("policies").get(0).path("next_run").isTextual()).isTrue();

    assertThat(s.post("/api/v1/policies/weekly-trim/run?dry_run=true", READER, null).statusCode())
        .isEqualTo(403);
    HttpResponse<String> dry =
        s.post("/api/v1/policies/weekly-trim/run?dry_run=true", OPERATOR, null);
    assertThat(dry.statusCode()).isEqualTo(200);
    JsonNode plan = json(dry);
    assertThat(plan.path("dry_run").asBoolean()).isTrue();
    assertThat(plan.path("decisions")).hasSize(2);
    assertThat(plan.path("decisions").get(0).path("decision").asText()).isEqualTo("run");
    assertThat(s.post("/api/v1/policies/nope/run", OPERATOR, null).statusCode()).isEqualTo(404);
    assertThat(web1.commandCount("guest-fstrim")).isZero();
    assertThat(Files.readString(stateDir.resolve(AuditLog.FILE)))
        .contains("\"request\":\"POST /api/v1/policies/weekly-trim/run\"");
  }

  @Test
  void metricsNeedTheirTokenWhenConfigured() throws Exception {
    String token = "metrics-secret";
    server.start(
        server.apiConfig(ApiTestServer.tokens(server.tokenFile)),
        Optional.of(new TokenSource.Sha256(ApiTestServer.sha256(token))),
        null);
    assertThat(server.get("/metrics", null).statusCode()).isEqualTo(401);
    assertThat(server.get("/metrics", "wrong").statusCode()).isEqualTo(401);
    assertThat(server.get("/metrics", token).statusCode()).isEqualTo(200);
    assertThat(server.get("/-/healthy", null).statusCode()).isEqualTo(200);
  }

  @Test
  void theOpenApiDocumentIsServedAndEqualsTheCopyInDocs() throws Exception {
    server.start();
    HttpResponse<String> r = server.get("/api/v1/openapi.json", null);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode doc = json(r);
    assertThat(doc.path("openapi").asText()).startsWith("3.");
    Path docs = repoRoot().resolve("docs/openapi.json");
    assertThat(Files.readString(docs))
        .as("docs/openapi.json must equal exporter/src/main/resources/openapi.json")
        .isEqualTo(r.body());
    for (String path :
        List.of(
            "/api/v1/domains",
            "/api/v1/domains/{domain}",
            "/api/v1/domains/{domain}/ping",
            "/api/v1/domains/{domain}/fstrim",
            "/api/v1/domains/{domain}/time-sync",
            "/api/v1/domains/{domain}/fsfreeze",
            "/api/v1/domains/{domain}/fsthaw",
            "/api/v1/domains/{domain}/shutdown",
            "/api/v1/domains/{domain}/command",
            "/api/v1/jobs/{id}",
            "/api/v1/policies",
            "/api/v1/policies/{name}/run",
            "/-/reload",
            "/api/v1/openapi.json")) {
      assertThat(doc.path("paths").has(path)).as(path).isTrue();
    }
  }

  static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("docs"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new AssertionError("no docs/ above " + Path.of("").toAbsolutePath());
    }
    return p;
  }
}
