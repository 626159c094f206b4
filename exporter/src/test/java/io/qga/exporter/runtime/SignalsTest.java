package io.qga.exporter.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The process contract of {@code demo} (and {@code run}, which shares {@link Signals}): SIGHUP
 * reloads, SIGTERM stops cleanly with exit code 0 and the temp dir is gone. Runs the CLI in a child
 * JVM on this test's class path; the child is stopped by PID in every case.
 */
class SignalsTest {

  @Test
  void demoReloadsOnHupAndExitsZeroOnTermAfterCleaningUp() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "io.qga.exporter.cli.Main",
                "demo",
                "--domains",
                "2",
                "--port",
                "0")
            .redirectErrorStream(true)
            .start();
    // A watchdog: if the child hangs, killing it ends every blocking read below.
    CompletableFuture.delayedExecutor(90, TimeUnit.SECONDS).execute(p::destroyForcibly);
    List<String> lines = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      Matcher url = null;
      String line;
      while (url == null && (line = out.readLine()) != null) {
        lines.add(line);
        Matcher m =
            Pattern.compile("agents in (\\S+)/agents; metrics at (http://\\S+/metrics)")
                .matcher(line);
        if (m.find()) {
          url = m;
        }
      }
      assertThat(url).as("demo printed its URL: " + lines).isNotNull();
      Path dir = Path.of(url.group(1));
      assertThat(dir).isDirectory();
      HttpResponse<String> metrics =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url.group(2))).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body()).contains("qga_exporter_build_info");

      new ProcessBuilder("kill", "-HUP", Long.toString(p.pid()))
          .start()
          .waitFor(10, TimeUnit.SECONDS);
      while ((line = out.readLine()) != null && !line.contains("config reloaded")) {
        lines.add(line);
      }
      assertThat(line).as("reloaded on SIGHUP: " + lines).isNotNull();

      p.destroy(); // SIGTERM
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
      assertThat(p.exitValue()).as("exit code after SIGTERM").isZero();
      assertThat(Files.exists(dir)).as("temp dir removed").isFalse();
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
