package io.qga.exporter.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher packaging/qga-exporter (installed as /usr/bin/qga-exporter), run with a stand-in
 * {@code java} that prints its PID and arguments: which options, which jar, and that the launcher
 * exec'd it (so SIGTERM and SIGHUP reach the JVM). packaging/test.sh runs it with the real JVM.
 */
class LauncherTest {
  private static final Path LAUNCHER = Path.of("..", "packaging", "qga-exporter").toAbsolutePath();
  private static final List<String> MEASURED =
      List.of(
          "-Xms32m",
          "-Xmx384m",
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-XX:+ExitOnOutOfMemoryError");

  @TempDir Path dir;
  private Path javaHome;
  private Path jar;

  record Run(int exit, long pid, List<String> args, String stderr) {}

  @BeforeEach
  void standInJava() throws IOException {
    // settings of an installed package would apply to every run
    Assumptions.assumeFalse(
        Files.exists(Path.of("/etc/default/qga-exporter")),
        "/etc/default/qga-exporter exists (qga-exporter installed here): skipping");
    javaHome = dir.resolve("jdk");
    Path java = Files.createDirectories(javaHome.resolve("bin")).resolve("java");
    Files.writeString(
        java, "#!/bin/sh\necho \"pid=$$\"\nfor a in \"$@\"; do echo \"arg=$a\"; done\n");
    assertThat(java.toFile().setExecutable(true)).isTrue();
    jar = Files.createFile(dir.resolve("qga-exporter.jar"));
  }

  private Run run(Path launcher, Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeAll(List.of("JAVA_OPTS", "JAVA_HOME", "QGA_EXPORTER_JAR"));
    pb.environment().put("JAVA_HOME", javaHome.toString());
    pb.environment().putAll(env);
    pb.directory(dir.toFile());
    pb.redirectError(dir.resolve("stderr").toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    long pid = -1;
    List<String> seen = new ArrayList<>();
    for (String line : out.lines().toList()) {
      if (line.startsWith("pid=")) {
        pid = Long.parseLong(line.substring(4));
      } else if (line.startsWith("arg=")) {
        seen.add(line.substring(4));
      }
    }
    return new Run(
        p.exitValue(), p.pid() == pid ? pid : -pid, seen, Files.readString(dir.resolve("stderr")));
  }

  @Test
  void execsJavaWithTheMeasuredOptionsAndTheArgumentsUnchanged() throws Exception {
    Run r =
        run(LAUNCHER, Map.of("QGA_EXPORTER_JAR", jar.toString()), "run", "--config", "a b*.yaml");

    assertThat(r.exit()).isZero();
    assertThat(r.pid()).as("java runs in the launcher's process (exec)").isPositive();
    List<String> expected = new ArrayList<>(MEASURED);
    expected.addAll(List.of("-jar", jar.toString(), "run", "--config", "a b*.yaml"));
    assertThat(r.args()).isEqualTo(expected);
  }

  @Test
  void javaOptsReplaceTheBuiltInOptionsWithoutGlobbing() throws Exception {
    Files.createFile(dir.resolve("-Dpattern=x")); // what -Dpattern=* would expand to
    Run r =
        run(
            LAUNCHER,
            Map.of("QGA_EXPORTER_JAR", jar.toString(), "JAVA_OPTS", "-Xmx1g  -Dpattern=*"),
            "--version");

    assertThat(r.args())
        .containsExactly("-Xmx1g", "-Dpattern=*", "-jar", jar.toString(), "--version");
  }

  @Test
  void findsTheJarOfTheCheckoutItSitsInAlsoThroughASymlink() throws Exception {
    Path checkout = dir.resolve("checkout");
    Path launcher = Files.createDirectories(checkout.resolve("packaging")).resolve("qga-exporter");
    Files.copy(LAUNCHER, launcher);
    Path built =
        Files.createDirectories(checkout.resolve("exporter/target")).resolve("qga-exporter.jar");
    Files.createFile(built);
    Path link =
        Files.createSymbolicLink(
            Files.createDirectories(dir.resolve("bin")).resolve("qga-exporter"), launcher);

    Run r = run(link, Map.of(), "--help");

    assertThat(r.exit()).isZero();
    assertThat(r.args()).containsSubsequence("-jar", built.toString(), "--help");
  }

  @Test
  void missingJarOrJavaExits127NamingIt() throws Exception {
    Path none = dir.resolve("none.jar");
    Run noJar = run(LAUNCHER, Map.of("QGA_EXPORTER_JAR", none.toString()), "--version");
    assertThat(noJar.exit()).isEqualTo(127);
    assertThat(noJar.stderr()).contains(none.toString());

    Run noJava =
        run(
            LAUNCHER,
            Map.of(
                "QGA_EXPORTER_JAR", jar.toString(), "JAVA_HOME", dir.resolve("nojdk").toString()),
            "--version");
    assertThat(noJava.exit()).isEqualTo(127);
    assertThat(noJava.stderr()).contains("nojdk").contains("no bin/java");
  }
}
