package io.qga.exporter.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code --log.format} and {@code --log.level} in a real process: {@code demo} in a child JVM on
 * this test's class path; every log line it writes is one parseable record. The child is stopped by
 * PID in every case.
 */
class LogFormatProcessTest {

  @Test
  void demoWritesJsonLinesAtDebug() throws Exception {
    List<String> logLines = demoLogLines("--log.format=json", "--log.level=debug");
    ObjectMapper json = new ObjectMapper();
    boolean reloaded = false;
    boolean debug = false;
    for (String line : logLines) {
      JsonNode n = json.readTree(line);
      assertThat(n.get("level").asText()).isIn("error", "warn", "info", "debug");
      assertThat(n.get("ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
      reloaded |= n.get("msg").asText().startsWith("config reloaded from ");
      debug |= n.get("level").asText().equals("debug");
    }
    assertThat(reloaded).as("the reload was logged: " + logLines).isTrue();
    assertThat(debug).as("--log.level=debug lets debug records through: " + logLines).isTrue();
  }

  @Test
  void demoWritesLogfmtLines() throws Exception {
    List<String> logLines = demoLogLines("--log.format", "logfmt");
    boolean reloaded = false;
    for (String line : logLines) {
      Map<String, String> pairs = LogFormattersTest.parseLogfmt(line);
      assertThat(pairs.keySet()).startsWith("ts", "level", "logger", "msg");
      assertThat(pairs.get("level")).isIn("error", "warn", "info");
      reloaded |= pairs.get("msg").startsWith("config reloaded from ");
    }
    assertThat(reloaded).as("the reload was logged: " + logLines).isTrue();
  }

  /** Starts demo with {@code flags}, reloads it once, stops it; its log lines (not the banner). */
  private static List<String> demoLogLines(String... flags) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "io.qga.exporter.cli.Main",
                "demo",
                "--domains",
                "1",
                "--port",
                "0"));
    command.addAll(List.of(flags));
    Process p = new ProcessBuilder(command).start(); // stdout only: stderr is not the log
    CompletableFuture.delayedExecutor(90, TimeUnit.SECONDS).execute(p::destroyForcibly);
    List<String> logLines = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      boolean banner = false;
      while (!banner && (line = out.readLine()) != null) {
        if (line.startsWith("demo: ")) {
          banner = true;
        } else {
          logLines.add(line);
        }
      }
      assertThat(banner).as("demo started: " + logLines).isTrue();
      new ProcessBuilder("kill", "-HUP", Long.toString(p.pid()))
          .start()
          .waitFor(10, TimeUnit.SECONDS);
      while ((line = out.readLine()) != null) {
        logLines.add(line);
        if (line.contains("config reloaded from ")) {
          break;
        }
      }
      p.destroy(); // SIGTERM (closes our end of its stdout)
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
      assertThat(p.exitValue()).isZero();
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    return logLines;
  }
}
