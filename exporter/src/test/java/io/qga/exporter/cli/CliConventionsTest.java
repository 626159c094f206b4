package io.qga.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** Help, version and the log flags, as {@code java -jar qga-exporter.jar} parses them. */
class CliConventionsTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setExitCodeExceptionMapper(e -> Main.EXIT_USAGE);
    cl.getCommandSpec().exitCodeOnInvalidInput(Main.EXIT_USAGE);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @ParameterizedTest
  @ValueSource(strings = {"run", "check-config", "agent", "demo"})
  void helpOnEverySubcommandExitsZero(String subcommand) {
    assertThat(run(subcommand, "--help")).as(err.toString()).isZero();
    assertThat(out.toString()).contains("Usage: qga-exporter " + subcommand);
    assertThat(err.toString()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"run", "demo"})
  void loggingCommandsDocumentTheLogFlags(String subcommand) {
    assertThat(run(subcommand, "-h")).isZero();
    assertThat(out.toString()).contains("--log.level=LEVEL").contains("--log.format=FORMAT");
  }

  @Test
  void topLevelHelpExitsZero() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("check-config").contains("demo");
  }

  @Test
  void versionPrintsTheVersionAndExitsZero() {
    assertThat(run("--version")).isZero();
    // from classes the manifest is absent: "dev"; the jar says its Maven version
    assertThat(out.toString().strip()).isEqualTo("qga-exporter " + Main.version());
    assertThat(Main.version()).isNotBlank();
  }

  @Test
  void unknownLogLevelIsAUsageErrorNamingTheAcceptedValues() {
    assertThat(run("run", "--config", "x.yaml", "--log.level", "verbose")).isEqualTo(2);
    assertThat(err.toString())
        .contains("--log.level")
        .contains("\"verbose\" is not a log level; use one of error, warn, info, debug");
  }

  @Test
  void unknownLogFormatIsAUsageErrorNamingTheAcceptedValues() {
    assertThat(run("demo", "--log.format=xml")).isEqualTo(2);
    assertThat(err.toString())
        .contains("--log.format")
        .contains("\"xml\" is not a log format; use one of plain, logfmt, json");
  }

  @Test
  void badLogSectionInTheConfigNamesItsPath() throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, "log:\n  level: loud\n  format: xml\n  colour: true\n");
    assertThat(run("check-config", "--config", file.toString())).isEqualTo(2);
    assertThat(err.toString())
        .contains(": /log/level: \"loud\" is not a log level; use one of error, warn, info, debug")
        .contains(": /log/format: \"xml\" is not a log format; use one of plain, logfmt, json")
        .contains(": /log: unknown key 'colour' (valid: level, format)");
  }

  @Test
  void goodLogSectionIsValid() throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, "log: {level: DEBUG, format: json}\n");
    assertThat(run("check-config", "--config", file.toString())).as(err.toString()).isZero();
  }
}
