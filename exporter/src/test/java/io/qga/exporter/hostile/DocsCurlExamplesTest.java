package io.qga.exporter.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.sim.GuestProgram;
import io.qga.sim.SimulatedGuest;
import io.qga.sim.testing.RealPrograms;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The curl examples of docs/api.md, run as written by the real curl against the real daemon
 * (simulated guests web-1 and db-1, the policy weekly-trim). Only the token file path, a job id the
 * examples leave open ({@code j-…}) and a {@code | jq} filter are filled in or dropped.
 */
@Tag("real")
class DocsCurlExamplesTest {
  private static final String ADMIN = "admin-token-of-the-docs-examples";
  private static final Pattern LOCATION =
      Pattern.compile("(?im)^Location: /api/v1/jobs/(\\S+)\\s*$");

  @TempDir Path dir;
  private Harness harness;

  @BeforeEach
  void setUp() throws Exception {
    harness = new Harness(dir);
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  /** The example block under "## Examples" in docs/api.md. */
  private static List<String> examples() throws Exception {
    Path doc = Path.of("..", "docs", "api.md");
    String text = Files.readString(doc);
    int start = text.indexOf("```sh", text.indexOf("## Examples"));
    int end = text.indexOf("```", start + 5);
    assertThat(start).as("an ```sh block under ## Examples in " + doc).isPositive();
    return text.substring(start + 5, end).strip().lines().toList();
  }

  @Test
  void everyCurlExampleInTheApiDocsWorksAsWritten() throws Exception {
    Path curl = RealPrograms.require("curl");
    harness.agent("web-1", g -> g.rebootTime(Duration.ofMillis(200)));
    SimulatedGuest db =
        harness.agent("db-1", SimulatedGuest.Builder::execAndFiles).guest(); // the exec examples
    db.program(
        "/bin/sh",
        (args, env, in) ->
            GuestProgram.Run.exited(
                0, "6.1.0-qga\n".getBytes(StandardCharsets.UTF_8), new byte[0]));
    db.program("chmod", (args, env, in) -> GuestProgram.Run.exited(0, new byte[0], new byte[0]));
    Path tokenFile = dir.resolve("ansible.token");
    Files.writeString(tokenFile, "operator-token-of-the-docs-examples\n");
    String hex =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(ADMIN.getBytes(StandardCharsets.UTF_8)));
    String extra =
        "api:\n  exec: {enabled: true}\n  tokens:\n"
            + "    - {name: ansible, role: operator, token_file: \""
            + tokenFile
            + "\"}\n"
            + "    - {name: root, role: admin, sha256: "
            + hex
            + "}\n"
            + "policies:\n"
            + "  - name: weekly-trim\n    match: {domains: [\"web-*\"]}\n"
            + "    schedule: \"0 0 3 ? * SUN\"\n    action: {fstrim: {minimum: 0}}\n";
    harness.start(harness.config("1s", "2s", "5s", extra));
    Harness.await(
        Duration.ofSeconds(30),
        "both guests polled",
        () -> {
          List<Series> s = harness.scrapeQuietly();
          return Double.valueOf(1).equals(Series.find(s, "qga_up", "domain", "web-1"))
              && Double.valueOf(1).equals(Series.find(s, "qga_up", "domain", "db-1"));
        });

    List<String> lines = examples();
    List<String> setup = new ArrayList<>();
    int run = 0;
    String job = null;
    for (String line : lines) {
      if (line.startsWith("#")) {
        continue;
      }
      String cmd = line.replace("/etc/qga-exporter/ansible.token", tokenFile.toString());
      cmd = cmd.replace("http://localhost:9920", "http://127.0.0.1:" + harness.daemon.port());
      if (!cmd.startsWith("curl ")) {
        setup.add(cmd);
        continue;
      }
      cmd = cmd.replaceAll("\\s+\\|\\s*jq.*$", "").replaceAll("\\s+#.*$", "");
      if (cmd.contains("j-…")) {
        assertThat(job).as("a job id from an earlier example's Location").isNotNull();
        cmd = cmd.replace("j-…", job);
      }
      String script =
          "set -e\nADMIN='"
              + ADMIN
              + "'\n"
              + String.join("\n", setup)
              + "\n"
              + cmd.replaceFirst("^curl ", curl + " ")
              + " -D - -o /dev/null -w '\\n%{http_code}'\n";
      String out = bash(script);
      long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (status(out) == 503 && System.nanoTime() < until) {
        Thread.sleep(500); // the example after the reboot: the guest is back in a moment
        out = bash(script);
      }
      assertThat(status(out)).as(line + "\n" + out).isBetween(200, 299);
      Matcher m = LOCATION.matcher(out);
      if (m.find()) {
        job = m.group(1);
      }
      run++;
    }
    assertThat(run).as("curl examples run").isGreaterThanOrEqualTo(15);
    assertThat(db.file("/etc/motd")).as("the PUT example wrote the file").isPresent();
  }

  private static int status(String out) {
    String[] lines = out.strip().split("\n");
    return Integer.parseInt(lines[lines.length - 1].strip());
  }

  private String bash(String script) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
    try {
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        out = in.readAllBytes();
      }
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("curl finished").isTrue();
      String text = new String(out, StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(script + "\n" + text).isZero();
      return text;
    } finally {
      p.destroyForcibly();
    }
  }
}
