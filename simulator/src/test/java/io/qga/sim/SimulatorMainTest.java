package io.qga.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatorMainTest {
  @TempDir Path dir;

  @Test
  void parsesTheBenchmarkCommandLine() throws Exception {
    SimulatedFleet.Builder builder =
        SimulatorMain.parse(
            new String[] {
              "--dir", dir.toString(), "--domains", "20", "--hang-percent", "10",
              "--slow-percent", "10", "--slow-delay", "1500ms", "--hostile", "reply-9mib:2",
              "--hostile", "trickle", "--flavour", "linux-7.2", "--seed", "9"
            });
    try (SimulatedFleet fleet = builder.start()) {
      assertThat(fleet.size()).isEqualTo(20);
      assertThat(fleet.agents().values())
          .filteredOn(a -> a.guest().hostile() == HostileMode.ANSWER_AFTER)
          .hasSize(2)
          .allMatch(a -> a.guest().slowDown().equals(Duration.ofMillis(1500)));
      assertThat(fleet.agents().values())
          .filteredOn(a -> a.guest().hostile() == HostileMode.REPLY_9MIB)
          .hasSize(2);
      assertThat(fleet.agents().values())
          .filteredOn(a -> a.guest().hostile() == HostileMode.TRICKLE)
          .hasSize(1);
      assertThat(fleet.agents().values()).allMatch(a -> a.guest().flavour() == Flavour.LINUX_7_2);
    }
  }

  @Test
  void badCommandLinesSayWhatIsWrong() {
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--domains", "3"}))
        .hasMessage("--dir is required");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--dir", "d", "--domains", "x"}))
        .hasMessage("--domains: \"x\" is not a whole number");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--slow-delay", "2"}))
        .hasMessage("--slow-delay: \"2\" is not a duration (use 500ms, 2s, 1m, 1h)");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--hostile", "evil:3"}))
        .hasMessageStartingWith("unknown hostile mode \"evil\"");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--flavour", "bsd"}))
        .hasMessageStartingWith("unknown agent flavour \"bsd\" (use one of linux-2.5, linux-7.2");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--frobnicate", "1"}))
        .hasMessage("unknown option --frobnicate");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--dir"}))
        .hasMessage("--dir needs a value");
    assertThat(SimulatorMain.parse(new String[] {"--help"})).isNull();
    assertThat(SimulatorMain.duration("x", "2s")).isEqualTo(Duration.ofSeconds(2));
    assertThat(SimulatorMain.duration("x", "1m")).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void runsAsItsOwnProcessUntilSigterm() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process process =
        new ProcessBuilder(
                java,
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                SimulatorMain.class.getName(),
                "--dir",
                dir.toString(),
                "--domains",
                "20",
                "--hang-percent",
                "10",
                "--seed",
                "3")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String ready = CompletableFuture.supplyAsync(() -> readLine(out)).get(60, TimeUnit.SECONDS);
      assertThat(ready).isEqualTo("ready " + dir.toAbsolutePath() + " 20");
      assertThat(sockets()).hasSize(20);
      try (RawClient c = RawClient.connect(dir.resolve("vm-020.sock"))) {
        c.send("{\"execute\": \"guest-info\"}");
        c.timeout(Duration.ofSeconds(1));
        // vm-020 may be one of the hung agents; either way the socket is served
        assertThat(c.readAvailable(Duration.ofMillis(500), 10)).hasSizeBetween(0, 10);
      }
      process.destroy(); // SIGTERM
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
      assertThat(process.exitValue()).isEqualTo(143);
      assertThat(sockets()).isEmpty();
    } finally {
      if (process.isAlive()) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static String readLine(BufferedReader reader) {
    try {
      return reader.readLine();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private List<Path> sockets() throws java.io.IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".sock")).toList();
    }
  }
}
