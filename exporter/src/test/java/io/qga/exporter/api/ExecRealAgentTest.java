package io.qga.exporter.api;

import static io.qga.exporter.api.ApiTestServer.ADMIN;
import static io.qga.exporter.api.ApiTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.qga.client.AgentAddress;
import io.qga.client.protocol.AgentSession;
import io.qga.exporter.config.ExecConfig;
import io.qga.sim.testing.QemuGaProcess;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exec and file endpoints in front of the host's real qemu-ga, started with exec and files
 * blocked ({@link QemuGaProcess#BLOCKED}): the refusal a user meets when a guest's agent runs with
 * {@code -b guest-exec,...} is clear, and nothing runs on the host.
 */
@Tag("real")
class ExecRealAgentTest {
  @TempDir Path stateDir;

  @Test
  void anAgentThatBlocksExecAndFilesIsNamedAsDisabledInTheGuest() throws Exception {
    // unix socket paths are short: the agent's directory is under /tmp
    Path home = Files.createTempDirectory(Path.of("/tmp"), "qga-exec-real-");
    try (ApiTestServer server = new ApiTestServer(stateDir);
        QemuGaProcess qga = QemuGaProcess.start(home)) {
      AgentSession session = new AgentSession(AgentAddress.unix(qga.socket()));
      try {
        server.domains.add("host", session);
        server.start(
            server
                .apiConfig(ApiTestServer.tokens(server.tokenFile))
                .withExec(ExecConfig.DEFAULT.withEnabled(true)),
            Optional.empty(),
            null);
        HttpResponse<String> exec =
            server.post(
                "/api/v1/domains/host/exec",
                ADMIN,
                "{\"path\": \"/bin/sh\", \"arg\": [\"-c\", \"touch /tmp/qga-exec-ran\"]}");
        assertThat(exec.statusCode()).as(exec.body()).isEqualTo(422);
        assertThat(json(exec).path("error").asText())
            .startsWith("guest-exec is disabled in the guest's agent")
            .contains("Command guest-exec has been disabled");
        assertThat(json(exec).path("command").asText()).isEqualTo("guest-exec");
        assertThat(Path.of("/tmp/qga-exec-ran")).doesNotExist();

        HttpResponse<String> get =
            server.get("/api/v1/domains/host/files?path=/etc/hostname", ADMIN);
        assertThat(get.statusCode()).as(get.body()).isEqualTo(422);
        assertThat(json(get).path("error").asText())
            .startsWith("guest-file-open is disabled in the guest's agent");

        HttpResponse<String> put =
            server.client.send(
                HttpRequest.newBuilder(server.uri("/api/v1/domains/host/files?path=/tmp/qga-put"))
                    .header("Authorization", "Bearer " + ADMIN)
                    .header("Content-Type", "application/octet-stream")
                    .timeout(Duration.ofSeconds(30))
                    .PUT(HttpRequest.BodyPublishers.ofString("nope"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(422);
        assertThat(Path.of("/tmp/qga-put")).doesNotExist();
        // the agent answered all of that and is still fine
        assertThat(server.post("/api/v1/domains/host/ping", ADMIN, null).statusCode())
            .isEqualTo(200);
      } finally {
        server.stopExporter();
        session.close();
      }
    } finally {
      try (var files = Files.walk(home)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
