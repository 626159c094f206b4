package io.qga.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** check-config warns (exit 0) about allow-list entries that let the passthrough change guests. */
class CheckConfigWarningsTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.getCommandSpec().exitCodeOnInvalidInput(Main.EXIT_USAGE);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void riskyAllowListEntriesAreWarnedAboutWithTheirYamlPath() throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(
        file,
        """
        api:
          command_allow_list:
            - guest-info
            - "guest-exec*"
            - "*"
            - "guest-fsfreeze-*"
            - guest-shutdown
            - "guest-suspend-*"
            - "guest-set-*"
            - "guest-file-*"
            - "guest-ssh-*"
            - "guest-get-*"
        """);
    assertThat(run("check-config", "--config", file.toString())).isZero();
    assertThat(out.toString()).startsWith(file + ": OK (");
    String[] lines = err.toString().split(System.lineSeparator());
    assertThat(lines).hasSize(8);
    for (int i = 1; i <= 8; i++) {
      assertThat(lines[i - 1]).startsWith(file + ": WARNING /api/command_allow_list/" + i + ": ");
    }
    assertThat(lines[0])
        .contains("\"guest-exec*\"")
        .contains("guest-exec,")
        .contains("POST /api/v1/domains/{domain}/command");
    assertThat(lines[1])
        .contains("\"*\"")
        .contains("guest-set-user-password")
        .contains("guest-fsfreeze-freeze");
    assertThat(lines[2])
        .contains(
            "guest-fsfreeze-freeze, guest-fsfreeze-freeze-list, guest-fsfreeze-thaw are refused");
    assertThat(lines[3]).contains("guest-shutdown are refused");
    assertThat(lines[4]).contains("guest-suspend-disk, guest-suspend-ram, guest-suspend-hybrid");
    assertThat(lines[5]).contains("guest-set-time").contains("guest-set-vcpus");
    assertThat(lines[6]).contains("guest-file-open").contains("guest-file-write");
    assertThat(lines[7]).contains("guest-ssh-add-authorized-keys");
    assertThat(err.toString())
        .doesNotContain("/api/command_allow_list/0:")
        .doesNotContain("/api/command_allow_list/9:");
  }

  @Test
  void theShippedDefaultsWarnAboutNothing() throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(
        file,
        "api:\n"
            + "  command_allow_list: [guest-info, guest-ping, \"guest-get-*\","
            + " \"guest-network-get-*\"]\n");
    assertThat(run("check-config", "--config", file.toString())).isZero();
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void rawAgentCommandsThroughLibvirtAreWarnedAboutAsTainting() throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(
        file, "discovery:\n  libvirt:\n    enabled: true\n    allow_raw_agent_commands: true\n");
    assertThat(run("check-config", "--config", file.toString())).isZero();
    assertThat(err.toString())
        .startsWith(file + ": WARNING /discovery/libvirt/allow_raw_agent_commands: true: ")
        .contains("tainted");
    Files.writeString(file, "discovery:\n  libvirt:\n    enabled: true\n");
    err.getBuffer().setLength(0);
    assertThat(run("check-config", "--config", file.toString())).isZero();
    assertThat(err.toString()).doesNotContain("allow_raw_agent_commands");
  }
}
