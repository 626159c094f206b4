package io.qga.exporter.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shipped systemd unit: what the README promises, and systemd-analyze accepts it. */
class ServiceUnitTest {
  private static final Path UNIT = Path.of("..", "packaging", "qga-exporter.service");

  @Test
  void runsTheDaemonAsItsOwnUserWithReloadAndHardening() throws Exception {
    String unit = Files.readString(UNIT);
    assertThat(unit)
        .contains("Type=simple\n")
        .contains("User=qga-exporter\n")
        .contains("StateDirectory=qga-exporter\n")
        .contains("ExecReload=/bin/kill -HUP $MAINPID\n")
        // the launcher (packaging/qga-exporter) holds the JVM options and finds the jar
        .containsPattern("(?m)^ExecStart=/usr/bin/qga-exporter run --config \\S+$")
        .containsPattern("(?m)^ExecStartPre=/usr/bin/qga-exporter check-config --config \\S+$")
        .contains("NoNewPrivileges=yes\n")
        .contains("ProtectSystem=strict\n")
        // would break the JVM's JIT
        .doesNotContainPattern("(?m)^MemoryDenyWriteExecute=yes");
  }

  @Test
  void systemdAnalyzeAcceptsIt() throws Exception {
    Optional<Path> analyze =
        Optional.of(Path.of("/usr/bin/systemd-analyze")).filter(Files::isExecutable);
    org.junit.jupiter.api.Assumptions.assumeTrue(
        analyze.isPresent(), "systemd-analyze is not installed: skipping the unit check");
    Process p =
        new ProcessBuilder(analyze.get().toString(), "verify", UNIT.toAbsolutePath().toString())
            .redirectErrorStream(true)
            .start();
    try {
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes());
      // the launcher and its man page come with the package, not on a build machine;
      // everything else must be clean
      assertThat(
              out.lines()
                  .filter(l -> !l.contains("/usr/bin/qga-exporter"))
                  .filter(l -> !l.contains("man qga-exporter(1)")))
          .as("systemd-analyze verify output")
          .isEmpty();
    } finally {
      p.destroyForcibly();
    }
  }
}
