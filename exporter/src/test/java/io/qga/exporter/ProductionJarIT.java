package io.qga.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar as shipped ({@code exporter/target/qga-exporter.jar}, after {@code package}): no
 * test support inside (JUnit, AssertJ, the scripted agents, real-qemu-ga helpers, reply fixtures),
 * yet {@code demo} and {@code SimulatorMain} still run from that jar alone. Run in the verify phase
 * by the {@code production-jar} execution of exporter/pom.xml (the jar does not exist yet when the
 * unit tests run); {@code -Dqga.jar=PATH} checks another jar.
 */
class ProductionJarIT {
  /** Entry prefixes of test code and test data; none belongs in the production jar. */
  private static final List<String> FORBIDDEN_ENTRIES =
      List.of(
          "org/junit/",
          "org/assertj/",
          "org/opentest4j/",
          "org/apiguardian/",
          "io/qga/sim/testing/",
          "io/qga/sim/scripted/",
          "io/qga/sim/fixtures/");

  /** Class references that would mean test support came back under another name. */
  private static final List<String> FORBIDDEN_REFERENCES =
      List.of("org/junit/", "org/assertj/", "org/opentest4j/");

  private static final Pattern UP = Pattern.compile("qga_up\\{.*\\} 1(\\.0)?");

  private static Path jar;

  @BeforeAll
  static void findJar() {
    String configured = System.getProperty("qga.jar");
    jar = Paths.get(configured != null ? configured : "target/qga-exporter.jar").toAbsolutePath();
    assertThat(jar).as("the shaded jar (built by the package phase)").isRegularFile();
  }

  @Test
  void holdsNoTestSupportNorFixtures() throws IOException {
    Set<String> found = new TreeSet<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (ZipEntry entry : Collections.list(zip.entries())) {
        String name = entry.getName();
        for (String prefix : FORBIDDEN_ENTRIES) {
          if (name.startsWith(prefix)) {
            found.add(name);
          }
        }
        if (name.endsWith(".class") && references(zip, entry)) {
          found.add(name + " (refers to test libraries)");
        }
      }
    }
    assertThat(found).as("test code or test data in " + jar).isEmpty();
  }

  @Test
  void holdsWhatDemoAndTheSimulatorNeed() throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (String needed :
          List.of(
              "io/qga/exporter/cli/Main.class",
              "io/qga/sim/SimulatedFleet.class",
              "io/qga/sim/SimulatedGuest.class",
              "io/qga/sim/SimulatorMain.class")) {
        assertThat(zip.getEntry(needed)).as(needed + " in " + jar).isNotNull();
      }
    }
  }

  /**
   * The README's first command, from a copy of the jar alone in an empty directory (so nothing from
   * the build's class path can stand in): the demo serves qga_up 1 for its simulated guests and
   * stops cleanly on SIGTERM.
   */
  @Test
  void demoRunsFromTheJarAlone(@TempDir Path dir) throws Exception {
    Path copy =
        Files.copy(jar, dir.resolve("qga-exporter.jar"), StandardCopyOption.COPY_ATTRIBUTES);
    Path log = dir.resolve("demo.log");
    Process demo =
        new ProcessBuilder(java(), "-jar", copy.toString(), "demo", "--domains", "2", "--port", "0")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      Matcher started = awaitLine(log, Pattern.compile("localhost:(\\d+)/metrics"), demo);
      URI metrics = URI.create("http://127.0.0.1:" + started.group(1) + "/metrics");
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      List<String> up = List.of();
      while (System.nanoTime() < deadline) {
        String body =
            http.send(
                    HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        up = body.lines().filter(l -> UP.matcher(l).matches()).toList();
        if (up.size() == 2) {
          break;
        }
        Thread.sleep(500);
      }
      assertThat(up).as("qga_up 1 for both simulated guests; log:\n" + read(log)).hasSize(2);
      demo.destroy(); // SIGTERM
      assertThat(demo.waitFor(30, TimeUnit.SECONDS)).as("demo stops on SIGTERM").isTrue();
      assertThat(demo.exitValue()).as("exit code; log:\n" + read(log)).isZero();
    } finally {
      stop(demo);
    }
  }

  /** ansible/test.sh and the benchmark start the simulated agents from the same jar. */
  @Test
  void simulatorMainRunsFromTheJarAlone(@TempDir Path dir) throws Exception {
    Path copy =
        Files.copy(jar, dir.resolve("qga-exporter.jar"), StandardCopyOption.COPY_ATTRIBUTES);
    Path log = dir.resolve("sim.log");
    Process sim =
        new ProcessBuilder(
                java(),
                "-cp",
                copy.toString(),
                "io.qga.sim.SimulatorMain",
                "--dir",
                dir.resolve("agents").toString(),
                "--domains",
                "2")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      awaitLine(log, Pattern.compile("^ready .* 2$", Pattern.MULTILINE), sim);
      try (var sockets = Files.list(dir.resolve("agents"))) {
        assertThat(sockets.filter(p -> p.toString().endsWith(".sock")).count()).isEqualTo(2);
      }
    } finally {
      stop(sim);
    }
  }

  private static String java() {
    return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static Matcher awaitLine(Path log, Pattern pattern, Process process) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      Matcher m = pattern.matcher(read(log));
      if (m.find()) {
        return m;
      }
      if (!process.isAlive()) {
        throw new AssertionError(
            "exited " + process.exitValue() + " before " + pattern + ":\n" + read(log));
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no " + pattern + " within 60 s:\n" + read(log));
  }

  private static String read(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  private static void stop(Process process) throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static boolean references(ZipFile zip, ZipEntry entry) throws IOException {
    byte[] bytes;
    try (InputStream in = zip.getInputStream(entry)) {
      bytes = in.readAllBytes();
    }
    // Class names sit in the constant pool as modified UTF-8, i.e. plain ASCII here.
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    return FORBIDDEN_REFERENCES.stream().anyMatch(text::contains);
  }
}
