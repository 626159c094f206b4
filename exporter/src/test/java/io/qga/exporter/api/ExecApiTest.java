package io.qga.exporter.api;

import static io.qga.exporter.api.ApiTestServer.ADMIN;
import static io.qga.exporter.api.ApiTestServer.OPERATOR;
import static io.qga.exporter.api.ApiTestServer.READER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.qga.exporter.action.AuditLog;
import io.qga.exporter.config.ExecConfig;
import io.qga.sim.FileReadFault;
import io.qga.sim.GuestProgram;
import io.qga.sim.SimulatedGuest;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST .../exec and PUT/GET .../files against simulated guests that run programs. */
class ExecApiTest {
  static final String EXEC = "/api/v1/domains/vm/exec";
  static final String FILES = "/api/v1/domains/vm/files?path=";

  @TempDir Path stateDir;
  ApiTestServer server;
  SimulatedGuest vm;
  final List<List<String>> chmods = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    server = new ApiTestServer(stateDir);
    vm = server.addGuest(SimulatedGuest.builder("vm").execAndFiles().build());
    // a shell that echoes: stdout is stdin then the arguments, stderr "err", exit 3
    vm.program(
        "/bin/sh",
        (args, env, stdin) ->
            GuestProgram.Run.exited(
                3,
                (new String(stdin, StandardCharsets.UTF_8) + String.join(" ", args) + "|" + env)
                    .getBytes(StandardCharsets.UTF_8),
                "err".getBytes(StandardCharsets.UTF_8)));
    vm.program("/bin/big", (a, e, in) -> GuestProgram.Run.exited(0, new byte[5000], new byte[10]));
    vm.program(
        "/bin/huge", (a, e, in) -> GuestProgram.Run.exited(0, new byte[8 << 20], new byte[0]));
    vm.program("/bin/sleep", (a, e, in) -> GuestProgram.Run.forever());
  }

  @AfterEach
  void tearDown() throws IOException {
    server.close();
  }

  private void start(ExecConfig exec) throws IOException {
    server.start(
        server.apiConfig(ApiTestServer.tokens(server.tokenFile)).withExec(exec),
        Optional.empty(),
        null);
  }

  private void startEnabled() throws IOException {
    start(ExecConfig.DEFAULT.withEnabled(true));
  }

  private HttpResponse<byte[]> put(String path, String token, byte[] body, String type)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.uri(FILES + path))
            .timeout(Duration.ofSeconds(60))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (type != null) {
      b.header("Content-Type", type);
    }
    return server.client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> getFile(String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.uri(FILES + path)).timeout(Duration.ofSeconds(60)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return server.client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static JsonNode json(HttpResponse<?> r) throws IOException {
    return r.body() instanceof byte[] b
        ? ApiTestServer.JSON.readTree(b)
        : ApiTestServer.JSON.readTree((String) r.body());
  }

  private long sentToGuest() {
    return vm.commandCount("guest-exec")
        + vm.commandCount("guest-file-open")
        + vm.commandCount("guest-file-write")
        + vm.commandCount("guest-file-read");
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(JsonNode b64) {
    return new String(Base64.getDecoder().decode(b64.asText()), StandardCharsets.UTF_8);
  }

  private List<JsonNode> audit() throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(stateDir.resolve(AuditLog.FILE))) {
      out.add(ApiTestServer.JSON.readTree(line));
    }
    return out;
  }

  private double counted(String kind, String outcome) {
    CounterSnapshot s = (CounterSnapshot) server.api.execMetrics().collect();
    return s.getDataPoints().stream()
        .filter(
            p ->
                p.getLabels().get("kind").equals(kind)
                    && p.getLabels().get("outcome").equals(outcome))
        .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue)
        .sum();
  }

  @Test
  void offByDefaultEveryEndpointIs403NamingTheSwitchAndNothingReachesTheGuest() throws Exception {
    server.start();
    HttpResponse<String> exec = server.post(EXEC, ADMIN, "{\"path\": \"/bin/sh\"}");
    assertThat(exec.statusCode()).isEqualTo(403);
    assertThat(json(exec).path("error").asText()).contains("api.exec.enabled is false");
    assertThat(put("/tmp/x", ADMIN, new byte[10], "application/octet-stream").statusCode())
        .isEqualTo(403);
    HttpResponse<byte[]> get = getFile("/etc/hostname", ADMIN);
    assertThat(get.statusCode()).isEqualTo(403);
    assertThat(json(get).path("error").asText()).contains("api.exec.enabled is false");
    assertThat(sentToGuest()).isZero();
    assertThat(counted("exec", "forbidden")).isEqualTo(1);
    assertThat(counted("file_get", "forbidden")).isEqualTo(1);
  }

  @Test
  void onlyAdminsMayExecOrMoveFiles() throws Exception {
    startEnabled();
    for (String token : new String[] {OPERATOR, READER}) {
      HttpResponse<String> r = server.post(EXEC, token, "{\"path\": \"/bin/sh\"}");
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(json(r).path("error").asText()).contains("admin");
      assertThat(put("/tmp/x", token, new byte[1], "application/octet-stream").statusCode())
          .isEqualTo(403);
      assertThat(getFile("/tmp/x", token).statusCode()).isEqualTo(403);
    }
    assertThat(server.post(EXEC, null, "{\"path\": \"/bin/sh\"}").statusCode()).isEqualTo(401);
    assertThat(getFile("/tmp/x", null).statusCode()).isEqualTo(401);
    assertThat(sentToGuest()).isZero();
  }

  @Test
  void execRunsWithInputAndAnswersExitCodeAndOutputAuditedWithoutTheData() throws Exception {
    startEnabled();
    HttpResponse<String> r =
        server.post(
            EXEC,
            ADMIN,
            "{\"path\": \"/bin/sh\", \"arg\": [\"-c\", \"echo hi\"], \"env\": [\"SECRET=s3cr3t\"],"
                + " \"input\": \""
                + b64("stdin-data ")
                + "\", \"timeout\": \"30s\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode o = json(r);
    assertThat(o.path("exitcode").asInt()).isEqualTo(3);
    assertThat(o.path("signal").isNull()).isTrue();
    assertThat(text(o.path("stdout"))).isEqualTo("stdin-data -c echo hi|[SECRET=s3cr3t]");
    assertThat(text(o.path("stderr"))).isEqualTo("err");
    assertThat(o.path("stdout_truncated").asBoolean()).isFalse();
    assertThat(o.path("stderr_truncated").asBoolean()).isFalse();
    assertThat(o.path("pid").asLong()).isPositive();
    assertThat(o.has("duration_ms")).isTrue();

    List<JsonNode> audit = audit();
    assertThat(audit).hasSize(2);
    JsonNode started = audit.get(0);
    assertThat(started.path("result").asText()).isEqualTo("started");
    assertThat(started.path("action").asText()).isEqualTo("exec");
    assertThat(started.path("origin").asText()).isEqualTo("api:root");
    assertThat(started.path("arguments").path("path").asText()).isEqualTo("/bin/sh");
    assertThat(started.path("arguments").path("arg").toString()).isEqualTo("[\"-c\",\"echo hi\"]");
    assertThat(started.path("arguments").path("env_names").toString()).isEqualTo("[\"SECRET\"]");
    assertThat(started.path("arguments").path("input_bytes").asInt()).isEqualTo(11);
    JsonNode done = audit.get(1);
    assertThat(done.path("result").asText()).isEqualTo("succeeded");
    assertThat(done.path("details").path("exitcode").asInt()).isEqualTo(3);
    assertThat(done.path("details").path("stdout_bytes").asInt()).isEqualTo(37);
    String log = Files.readString(stateDir.resolve(AuditLog.FILE));
    assertThat(log).doesNotContain("stdin-data").doesNotContain("s3cr3t");
    assertThat(counted("exec", "ok")).isEqualTo(1);
  }

  @Test
  void aProgramThatOutlivesItsTimeoutIs504WithItsPid() throws Exception {
    startEnabled();
    HttpResponse<String> r =
        server.post(EXEC, ADMIN, "{\"path\": \"/bin/sleep\", \"timeout\": \"1s\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
    assertThat(json(r).path("pid").asLong()).isPositive();
    assertThat(json(r).path("error").asText()).contains("no way to kill it");
    assertThat(vm.commandCount("guest-exec-status")).isGreaterThan(1);
    // the domain is free again
    assertThat(server.post(EXEC, ADMIN, "{\"path\": \"/bin/sh\"}").statusCode()).isEqualTo(200);
  }

  @Test
  void aCommandThatRunsLongerThanTheListenersIdleTimeoutStillGetsItsAnswer() throws Exception {
    server.listenerTimeout = Duration.ofSeconds(1);
    vm.program(
        "/bin/slow",
        (a, e, in) ->
            GuestProgram.Run.exited(0, "done".getBytes(StandardCharsets.UTF_8), new byte[0])
                .after(Duration.ofSeconds(3)));
    startEnabled();
    HttpResponse<String> r = server.post(EXEC, ADMIN, "{\"path\": \"/bin/slow\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(text(json(r).path("stdout"))).isEqualTo("done");
  }

  @Test
  void outputBeyondMaxOutputIsCutAndFlaggedAndAReplyBeyondTheAgentBoundIs502() throws Exception {
    ExecConfig d = ExecConfig.DEFAULT;
    start(
        new ExecConfig(
            true, d.maxTimeout(), d.defaultTimeout(), 1024, d.maxFileSize(), d.chunkSize()));
    JsonNode o = json(server.post(EXEC, ADMIN, "{\"path\": \"/bin/big\"}"));
    assertThat(Base64.getDecoder().decode(o.path("stdout").asText())).hasSize(1024);
    assertThat(o.path("stdout_truncated").asBoolean()).isTrue();
    assertThat(Base64.getDecoder().decode(o.path("stderr").asText())).hasSize(10);
    assertThat(o.path("stderr_truncated").asBoolean()).isFalse();
    // 8 MiB of output is 10.7 MiB of base64: over the session's reply bound (10 MiB)
    HttpResponse<String> huge = server.post(EXEC, ADMIN, "{\"path\": \"/bin/huge\"}");
    assertThat(huge.statusCode()).as(huge.body()).isEqualTo(502);
    assertThat(json(huge).path("error").asText()).contains("protocol");
    assertThat(server.post(EXEC, ADMIN, "{\"path\": \"/bin/sh\"}").statusCode()).isEqualTo(200);
  }

  @Test
  void aMultiChunkFileGoesInAndComesOutByteExact() throws Exception {
    startEnabled();
    vm.program(
        "chmod",
        (args, env, in) -> {
          chmods.add(args);
          return GuestProgram.Run.exited(0, new byte[0], new byte[0]);
        });
    byte[] data = new byte[200 * 1024];
    new Random(7).nextBytes(data);
    HttpResponse<byte[]> w = put("/tmp/blob&mode=0600", ADMIN, data, "application/octet-stream");
    assertThat(w.statusCode()).as(new String(w.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(json(w).path("path").asText()).isEqualTo("/tmp/blob");
    assertThat(json(w).path("size").asLong()).isEqualTo(data.length);
    assertThat(json(w).path("mode_applied").asBoolean()).isTrue();
    assertThat(chmods).containsExactly(List.of("0600", "/tmp/blob"));
    assertThat(vm.file("/tmp/blob")).hasValue(data);
    assertThat(vm.commandCount("guest-file-write")).isEqualTo(5); // 48 KiB chunks

    HttpResponse<byte[]> r = getFile("/tmp/blob", ADMIN);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
    assertThat(r.body()).isEqualTo(data);
    assertThat(vm.openFileHandles()).isZero();
    List<JsonNode> audit = audit();
    assertThat(audit)
        .extracting(a -> a.path("action").asText() + " " + a.path("result").asText())
        .containsExactly(
            "file_put started", "file_put succeeded", "file_get started", "file_get succeeded");
    assertThat(audit.get(1).path("details").path("bytes").asLong()).isEqualTo(data.length);
    assertThat(audit.get(3).path("arguments").path("path").asText()).isEqualTo("/tmp/blob");

    // an empty file, and a mode that cannot be applied (no chmod in this guest any more)
    vm.program("chmod", (args, env, in) -> GuestProgram.Run.exited(1, new byte[0], new byte[0]));
    HttpResponse<byte[]> empty =
        put("/tmp/empty&mode=644", ADMIN, new byte[0], "application/octet-stream");
    assertThat(json(empty).path("size").asLong()).isZero();
    assertThat(json(empty).path("mode_applied").asBoolean()).isFalse();
    assertThat(json(empty).path("mode_error").asText()).contains("chmod exited with 1");
    HttpResponse<byte[]> back = getFile("/tmp/empty", ADMIN);
    assertThat(back.statusCode()).isEqualTo(200);
    assertThat(back.body()).isEmpty();
  }

  @Test
  void filesOverMaxFileSizeAre413AndMissingOnesAre404() throws Exception {
    ExecConfig d = ExecConfig.DEFAULT;
    start(
        new ExecConfig(
            true, d.maxTimeout(), d.defaultTimeout(), d.maxOutput(), 64 * 1024, 16 * 1024));
    HttpResponse<byte[]> big =
        put("/tmp/big", ADMIN, new byte[100 * 1024], "application/octet-stream");
    assertThat(big.statusCode()).isEqualTo(413);
    assertThat(json(big).path("error").asText()).contains("api.exec.max_file_size");
    assertThat(vm.commandCount("guest-file-open")).as("refused before anything was sent").isZero();

    // no Content-Length (chunked): refused while reading, what was written by then is said
    HttpResponse<byte[]> chunked =
        server.client.send(
            HttpRequest.newBuilder(server.uri(FILES + "/tmp/chunked"))
                .header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/octet-stream")
                .timeout(Duration.ofSeconds(60))
                .PUT(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(new byte[100 * 1024])))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(chunked.statusCode()).isEqualTo(413);
    assertThat(json(chunked).path("bytes").asLong()).isEqualTo(64 * 1024);
    assertThat(vm.file("/tmp/chunked").orElseThrow()).hasSize(64 * 1024);
    assertThat(vm.openFileHandles()).isZero();

    vm.putFile("/var/log/big", new byte[100 * 1024]);
    HttpResponse<byte[]> read = getFile("/var/log/big", ADMIN);
    assertThat(read.statusCode()).isEqualTo(413);
    assertThat(json(read).path("error").asText()).contains("larger than api.exec.max_file_size");
    assertThat(vm.openFileHandles()).isZero();

    HttpResponse<byte[]> missing = getFile("/no/such/file", ADMIN);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(json(missing).path("error").asText())
        .contains("failed to open file '/no/such/file' (mode: 'r'): No such file or directory");
    assertThat(counted("file_get", "not_found")).isEqualTo(1);
    assertThat(counted("file_put", "too_large")).isEqualTo(2);
  }

  @Test
  void aGuestThatLiesAboutReadSizesIsAProtocolErrorAndTheHandleIsClosed() throws Exception {
    startEnabled();
    vm.putFile("/etc/data", new byte[200 * 1024]);
    vm.setFileReadFault(FileReadFault.OVERSIZED);
    HttpResponse<byte[]> over = getFile("/etc/data", ADMIN);
    assertThat(over.statusCode()).isEqualTo(502);
    assertThat(json(over).path("error").asText()).contains("for at most 49152 bytes");
    vm.setFileReadFault(FileReadFault.STALLS);
    HttpResponse<byte[]> stall = getFile("/etc/data", ADMIN);
    assertThat(stall.statusCode()).isEqualTo(502);
    assertThat(json(stall).path("error").asText()).contains("empty reads in a row");
    assertThat(vm.openFileHandles()).isZero();
  }

  @Test
  void whenTheAuditLogCannotBeWrittenNothingIsSentAndTheAnswerIs503() throws Exception {
    startEnabled();
    server.executor.audit().close();
    HttpResponse<String> r = server.post(EXEC, ADMIN, "{\"path\": \"/bin/sh\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(json(r).path("error").asText()).contains("not run").contains("audit log");
    assertThat(put("/tmp/x", ADMIN, new byte[10], "application/octet-stream").statusCode())
        .isEqualTo(503);
    assertThat(getFile("/etc/hostname", ADMIN).statusCode()).isEqualTo(503);
    assertThat(sentToGuest()).isZero();
  }

  @Test
  void badRequestsAreRefusedNamingWhatIsWrong() throws Exception {
    startEnabled();
    assertThat(
            json(server.post(EXEC, ADMIN, "{\"path\": \"/bin/sh\", \"args\": []}"))
                .path("error")
                .asText())
        .contains("unknown field \"args\"");
    assertThat(
            json(server.post(EXEC, ADMIN, "{\"path\": \"/bin/sh\", \"env\": [\"no-equals\"]}"))
                .path("field")
                .asText())
        .isEqualTo("env");
    assertThat(server.post(EXEC, ADMIN, "{\"path\": \"/bin/sh\", \"input\": \"***\"}").statusCode())
        .isEqualTo(400);
    assertThat(
            server.post(EXEC, ADMIN, "{\"path\": \"/bin/sh\", \"timeout\": \"soon\"}").statusCode())
        .isEqualTo(400);
    HttpResponse<byte[]> relative = put("etc/motd", ADMIN, new byte[1], "application/octet-stream");
    assertThat(relative.statusCode()).isEqualTo(400);
    assertThat(json(relative).path("error").asText()).contains("absolute");
    assertThat(
            put("/etc/motd&mode=rwx", ADMIN, new byte[1], "application/octet-stream").statusCode())
        .isEqualTo(400);
    assertThat(put("/etc/motd", ADMIN, new byte[1], "text/plain").statusCode()).isEqualTo(415);
    assertThat(
            put("/etc/motd&owner=root", ADMIN, new byte[1], "application/octet-stream")
                .statusCode())
        .isEqualTo(400);
    assertThat(getFile("/etc/%00x", ADMIN).statusCode()).isEqualTo(400);
    assertThat(sentToGuest()).isZero();
  }

  @Test
  void execIsRefusedWhileWeHoldTheGuestFrozen() throws Exception {
    startEnabled();
    HttpResponse<String> f =
        server.post("/api/v1/domains/vm/fsfreeze?wait=20s", OPERATOR, "{\"deadline\": \"60s\"}");
    assertThat(f.statusCode()).as(f.body()).isEqualTo(200);
    HttpResponse<String> r = server.post(EXEC, ADMIN, "{\"path\": \"/bin/sh\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
    assertThat(json(r).path("frozen").asBoolean()).isTrue();
    assertThat(vm.commandCount("guest-exec")).isZero();
    assertThat(server.post("/api/v1/domains/vm/fsthaw?wait=20s", OPERATOR, null).statusCode())
        .isEqualTo(200);
  }

  @Test
  void aGuestWhoseAgentBlocksExecAnswers422NamingTheCommand() throws Exception {
    server.addGuest(SimulatedGuest.builder("locked").build());
    startEnabled();
    HttpResponse<String> r =
        server.post("/api/v1/domains/locked/exec", ADMIN, "{\"path\": \"/bin/sh\"}");
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(json(r).path("error").asText())
        .startsWith("guest-exec is disabled in the guest's agent");
    assertThat(json(r).path("command").asText()).isEqualTo("guest-exec");
  }
}
