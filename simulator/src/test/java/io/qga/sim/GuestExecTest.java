package io.qga.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** guest-exec and guest-file-* of a guest built with execAndFiles(), over the real socket. */
class GuestExecTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private SimulatedAgent agent;

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
  }

  private SimulatedGuest start(SimulatedGuest.Builder b) throws Exception {
    SimulatedGuest g = b.clock(clock).build();
    agent = SimulatedAgent.start(dir.resolve("vm.sock"), g);
    return g;
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(JsonNode b64) {
    return new String(Base64.getDecoder().decode(b64.asText()), StandardCharsets.UTF_8);
  }

  @Test
  void aProgramGetsItsInputAndReportsOutputOnlyOnceExited() throws Exception {
    SimulatedGuest g = start(SimulatedGuest.builder("vm").execAndFiles());
    g.program(
        "/bin/cat",
        (args, env, stdin) ->
            GuestProgram.Run.exited(
                    3, stdin, (String.join(",", args) + "|" + env).getBytes(StandardCharsets.UTF_8))
                .after(Duration.ofSeconds(5)));
    try (RawClient c = RawClient.connect(agent.socket())) {
      JsonNode pid =
          c.call(
                  "{\"execute\": \"guest-exec\", \"arguments\": {\"path\": \"/bin/cat\", \"arg\":"
                      + " [\"-u\"], \"env\": [\"A=1\"], \"input-data\": \""
                      + b64("hello")
                      + "\", \"capture-output\": true}}")
              .path("return")
              .path("pid");
      String status =
          "{\"execute\": \"guest-exec-status\", \"arguments\": {\"pid\": " + pid.asLong() + "}}";
      assertThat(c.call(status).path("return").toString()).isEqualTo("{\"exited\":false}");
      clock.advance(Duration.ofSeconds(5));
      JsonNode done = c.call(status).path("return");
      assertThat(done.path("exitcode").asInt()).isEqualTo(3);
      assertThat(text(done.path("out-data"))).isEqualTo("hello");
      assertThat(text(done.path("err-data"))).isEqualTo("-u|[A=1]");
      // read once exited, the process is gone
      assertThat(c.call(status).path("error").path("desc").asText())
          .isEqualTo("Invalid parameter 'pid'");
      assertThat(
              c.call("{\"execute\": \"guest-exec\", \"arguments\": {\"path\":" + " \"/no/such\"}}")
                  .path("error")
                  .path("desc")
                  .asText())
          .contains("No such file or directory");
    }
  }

  @Test
  void filesAreWrittenAndReadThroughHandles() throws Exception {
    SimulatedGuest g = start(SimulatedGuest.builder("vm").execAndFiles());
    try (RawClient c = RawClient.connect(agent.socket())) {
      long h =
          c.call(
                  "{\"execute\": \"guest-file-open\", \"arguments\": {\"path\": \"/tmp/f\","
                      + " \"mode\": \"w\"}}")
              .path("return")
              .asLong();
      for (String part : new String[] {"abc", "def"}) {
        assertThat(
                c.call(
                        "{\"execute\": \"guest-file-write\", \"arguments\": {\"handle\": "
                            + h
                            + ", \"buf-b64\": \""
                            + b64(part)
                            + "\"}}")
                    .path("return")
                    .path("count")
                    .asInt())
            .isEqualTo(3);
      }
      c.call("{\"execute\": \"guest-file-close\", \"arguments\": {\"handle\": " + h + "}}");
      assertThat(new String(g.file("/tmp/f").orElseThrow(), StandardCharsets.UTF_8))
          .isEqualTo("abcdef");
      long r =
          c.call("{\"execute\": \"guest-file-open\", \"arguments\": {\"path\": \"/tmp/f\"}}")
              .path("return")
              .asLong();
      String read =
          "{\"execute\": \"guest-file-read\", \"arguments\": {\"handle\": "
              + r
              + ", \"count\": 4}}";
      JsonNode first = c.call(read).path("return");
      assertThat(text(first.path("buf-b64"))).isEqualTo("abcd");
      assertThat(first.path("eof").asBoolean()).isFalse();
      JsonNode second = c.call(read).path("return");
      assertThat(text(second.path("buf-b64"))).isEqualTo("ef");
      assertThat(second.path("eof").asBoolean()).isTrue();
      g.setFileReadFault(FileReadFault.OVERSIZED);
      c.call("{\"execute\": \"guest-file-close\", \"arguments\": {\"handle\": " + r + "}}");
      assertThat(g.openFileHandles()).isZero();
      assertThat(
              c.call(
                      "{\"execute\": \"guest-file-open\", \"arguments\": {\"path\":"
                          + " \"/missing\"}}")
                  .path("error")
                  .path("desc")
                  .asText())
          .isEqualTo("failed to open file '/missing' (mode: 'r'): No such file or directory");
    }
  }

  @Test
  void withoutExecAndFilesTheyStayBlocked() throws Exception {
    start(SimulatedGuest.builder("vm"));
    try (RawClient c = RawClient.connect(agent.socket())) {
      assertThat(
              c.call("{\"execute\": \"guest-exec\", \"arguments\": {\"path\": \"/bin/sh\"}}")
                  .path("error")
                  .path("desc")
                  .asText())
          .isEqualTo("Command guest-exec has been disabled");
    }
  }
}
