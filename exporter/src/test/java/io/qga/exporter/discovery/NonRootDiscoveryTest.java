package io.qga.exporter.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The exporter as a non-root user (uid/gid 65534, no supplementary groups, through {@code setpriv})
 * on a host whose libvirt run dir holds root-only 0600 files, as libvirt writes them. The daemon
 * and check-config run as separate JVMs from a world-readable copy of the test class path; the
 * libvirt API is libvirt's real test driver ({@code test:///FILE}, through JNA). Needs root (to
 * make files the child cannot read, and to switch user): skipped otherwise, a failure with
 * QGA_REQUIRE_REAL=1.
 */
@Tag("real")
class NonRootDiscoveryTest {
  private static final String NOBODY = "65534";
  private Path base;
  private Path classpath;
  private Path run;
  private final List<Process> started = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    boolean setpriv =
        Files.isExecutable(Path.of("/usr/bin/setpriv"))
            || Files.isExecutable(Path.of("/bin/setpriv"));
    if (!root || !setpriv) {
      String why =
          !root ? "needs root (root-only files, setpriv)" : "setpriv not found (util-linux)";
      if ("1".equals(System.getenv("QGA_REQUIRE_REAL"))) {
        throw new AssertionError("NonRootDiscoveryTest " + why + " and QGA_REQUIRE_REAL=1");
      }
      Assumptions.abort("NonRootDiscoveryTest " + why + ": skipped");
    }
    LibvirtSourceTest.requireLibvirt();
    base = Files.createTempDirectory(Path.of("/tmp"), "qga-nonroot.");
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    classpath = copyClassPath(base.resolve("cp"));
    // libvirt's run dir: the directory is world-listable, every domain file root-only (0600)
    run = Files.createDirectories(base.resolve("run"));
    for (String f : List.of("with-0-and-1.xml", "only-0.xml")) {
      Path p = run.resolve(f);
      try (InputStream in = getClass().getResourceAsStream("/libvirt/" + f)) {
        Files.copy(in, p);
      }
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    }
    // "libvirtd": the test driver reads this node file (world-readable)
    try (InputStream in = getClass().getResourceAsStream("/libvirt/test-driver-node.xml")) {
      Files.copy(in, base.resolve("node.xml"));
    }
    // a glob directory the user may not list
    Path locked = Files.createDirectories(base.resolve("locked"));
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
    for (String own : List.of("state", "tmp")) {
      Files.setAttribute(Files.createDirectories(base.resolve(own)), "unix:uid", 65534);
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : started) {
      p.destroy(); // SIGTERM to this PID
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (base != null) {
      try (Stream<Path> s = Files.walk(base)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void withoutReadingTheRunDirTheDomainsComeFromTheReadOnlyApi() throws Exception {
    int port = freePort();
    Path config = config(port, "test://" + base.resolve("node.xml"), false);
    Path log = base.resolve("daemon.log");
    Process daemon = asNobody(log, "run", "--config", config.toString());
    String metrics = awaitMetrics(daemon, port, log);
    // the API's domains, not the run dir's (those files name other domains)
    assertThat(metrics).contains("qga_discovered_domains 2.0");
    assertThat(metrics)
        .contains("qga_discovery_errors{source=\"libvirt_api\"} 0.0")
        .contains("qga_discovery_errors{source=\"libvirt_run_dir\"} 0.0");
    assertThat(get(port, "/-/ready").statusCode()).isEqualTo(200);
    String landing = get(port, "/").body();
    assertThat(landing)
        .contains("/run/qga-test/web-1.agent1.sock")
        .contains("libvirt:db-1")
        .doesNotContain("two-channels");
    assertThat(Files.readString(log))
        .contains("cannot read 2 of 2 domain files in libvirt's run dir " + run + " as user nobody")
        .contains("listing domains through libvirt's API over a read-only connection");
  }

  @Test
  void neitherRunDirNorApiIsLoudOncePerChange() throws Exception {
    int port = freePort();
    Path config = config(port, "test://" + base.resolve("no-such-node.xml"), true);
    Path log = base.resolve("daemon.log");
    Process daemon = asNobody(log, "run", "--config", config.toString());
    String metrics = awaitMetrics(daemon, port, log);
    assertThat(metrics)
        .contains("qga_discovered_domains 0.0")
        .contains("qga_discovery_errors{source=\"libvirt_api\"} 1.0")
        .contains("qga_discovery_errors{source=\"libvirt_run_dir\"} 2.0")
        .contains("qga_discovery_errors{source=\"glob\"} 1.0");
    HttpResponse<String> ready = get(port, "/-/ready");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body())
        .contains("cannot read 2 of 2 domain files in libvirt's run dir " + run)
        .contains("cannot list " + base.resolve("locked"))
        .contains("Fix:");
    assertThat(get(port, "/").body())
        .contains("Discovery cannot read every source")
        .contains(run.toString());
    Thread.sleep(3500); // three more refreshes (refresh_interval 1s): still one warning each
    String text = Files.readString(log);
    assertThat(count(text, "WARNING")).as(text).isEqualTo(2);
    assertThat(count(text, "cannot read 2 of 2 domain files in libvirt's run dir " + run))
        .isEqualTo(1);
  }

  @Test
  void checkConfigWarnsWithTheFixAndStillExitsZero() throws Exception {
    Path config = config(freePort(), "test://" + base.resolve("no-such-node.xml"), false);
    Path out = base.resolve("check.log");
    Process p = asNobody(out, "check-config", "--config", config.toString());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String text = Files.readString(out);
    assertThat(p.exitValue()).as(text).isEqualTo(0);
    assertThat(text)
        .contains(config + ": OK")
        .contains(
            config
                + ": warning: cannot read 2 of 2 domain files in libvirt's run dir "
                + run
                + " as user nobody")
        .contains("read-only libvirt connection to test://" + base.resolve("no-such-node.xml"))
        .contains("Fix:");
    // the same config as root reads every file: nothing to warn about
    assertThat(
            DiscoveryCheck.problems(io.qga.exporter.config.ConfigLoader.load(config).discovery()))
        .isEmpty();
  }

  private Path config(int port, String uri, boolean lockedGlob) throws IOException {
    String yaml =
        "server:\n  listen: \"127.0.0.1:"
            + port
            + "\"\n"
            + "state_dir: "
            + base.resolve("state")
            + "\n"
            + "discovery:\n  refresh_interval: 1s\n"
            + (lockedGlob ? "  globs:\n    - pattern: " + base.resolve("locked") + "/*.sock\n" : "")
            + "  libvirt:\n    enabled: true\n    run_dir: "
            + run
            + "\n    uri: \""
            + uri
            + "\"\n";
    Path p = base.resolve("config-" + port + ".yaml");
    Files.writeString(p, yaml);
    return p;
  }

  private Process asNobody(Path output, String... args) throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "setpriv",
                "--reuid",
                NOBODY,
                "--regid",
                NOBODY,
                "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + base.resolve("tmp"),
                "-cp",
                classpath + "/*:" + classpath + "/classes:" + classpath + "/test-classes",
                "io.qga.exporter.cli.Main"));
    cmd.addAll(List.of(args));
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    started.add(p);
    return p;
  }

  private static String awaitMetrics(Process daemon, int port, Path log) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < until) {
      if (!daemon.isAlive()) {
        throw new AssertionError("the daemon exited: " + Files.readString(log));
      }
      try {
        HttpResponse<String> r = get(port, "/metrics");
        if (r.statusCode() == 200) {
          return r.body();
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no /metrics after 60 s: " + Files.readString(log));
  }

  private static HttpResponse<String> get(int port, String path)
      throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The test class path (jars under /root are not readable by nobody) copied world-readable. */
  private static Path copyClassPath(Path to) throws IOException {
    Files.createDirectories(to);
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      Path src = Path.of(entry);
      if (Files.isDirectory(src)) {
        Path dst = to.resolve(src.getFileName());
        try (Stream<Path> s = Files.walk(src)) {
          for (Path p : (Iterable<Path>) s::iterator) {
            Path target = dst.resolve(src.relativize(p).toString());
            if (Files.isDirectory(p)) {
              Files.createDirectories(target);
            } else {
              Files.copy(p, target);
            }
          }
        }
      } else if (Files.isRegularFile(src)) {
        Files.copy(
            src, to.resolve(src.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    try (Stream<Path> s = Files.walk(to)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.setPosixFilePermissions(
            p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
    return to;
  }
}
