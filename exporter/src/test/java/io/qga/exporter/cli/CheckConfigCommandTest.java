package io.qga.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CheckConfigCommandTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = new CommandLine(new Main()); // the real command tree, as the jar runs it
    cl.getCommandSpec().exitCodeOnInvalidInput(Main.EXIT_USAGE);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void validConfigPrintsOkWithSummary() throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(
        file,
        """
        discovery:
          static: [{domain: a, socket: /run/a.sock}, {domain: b, vsock: "3:1"}]
          globs: [{pattern: /run/qga/*.sock}]
          libvirt: {enabled: true}
        policies:
          - {name: t, schedule: "0 0 3 ? * SUN", action: {fstrim: {}}}
        """);
    assertThat(run("check-config", "--config", file.toString())).isZero();
    assertThat(out.toString())
        .startsWith(
            file
                + ": OK (2 static, 1 globs, libvirt on, 1 policies, 0 tokens)"
                + System.lineSeparator());
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void shippedConfigIsValid() {
    assertThat(run("check-config", "--config", "../config.yaml")).isZero();
    assertThat(out.toString())
        .startsWith("../config.yaml: OK (0 static, 0 globs, libvirt off, 0 policies, 0 tokens)");
  }

  @Test
  void everyProblemOnItsOwnLineWithFileAndPath() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(
        file,
        """
        collectors:
          network: {interval: "15"}
        policies:
          - {name: t, schedule: "0 0 3 * * SUN", action: {fstrim: {}}}
        """);
    assertThat(run("check-config", "--config", file.toString())).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString().lines())
        .hasSize(2)
        .contains(
            file
                + ": /collectors/network/interval: \"15\" is not a duration (use 500ms, 15s, 2m,"
                + " 1h)")
        .anyMatch(
            l ->
                l.startsWith(
                    file
                        + ": /policies/0/schedule: \"0 0 3 * * SUN\" is not a Quartz cron"
                        + " expression: "));
  }

  @Test
  void missingFileExits2WithMessage() {
    Path file = dir.resolve("missing.yaml");
    assertThat(run("check-config", "--config", file.toString())).isEqualTo(2);
    assertThat(err.toString()).contains(file + ": /: cannot read ").contains("no such file");
  }

  @Test
  void missingOptionIsAUsageError() {
    assertThat(run("check-config")).isEqualTo(2);
    assertThat(err.toString()).contains("--config");
  }
}
