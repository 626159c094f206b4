package io.qga.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code run} that cannot start says what to fix: the path (with its config key) and why, or the
 * listen address that is taken. The real command tree, as the jar runs it.
 */
@Timeout(60)
class StartupErrorsTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(Path config) {
    CommandLine cl = new CommandLine(new Main());
    cl.getCommandSpec().exitCodeOnInvalidInput(Main.EXIT_USAGE);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute("run", "--config", config.toString());
  }

  private Path config(String listen, Path stateDir, String extraServer) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(
        file,
        "server:\n  listen: \""
            + listen
            + "\"\n"
            + extraServer
            + "state_dir: \""
            + stateDir
            + "\"\n");
    return file;
  }

  @Test
  void aStateDirThatCannotBeCreatedIsNamedWithItsKeyAndReason() throws Exception {
    Path file = dir.resolve("a-file");
    Files.writeString(file, "not a directory\n");
    Path state = file.resolve("state");
    assertThat(run(config("127.0.0.1:0", state, ""))).isEqualTo(1);
    assertThat(err.toString())
        .contains("cannot start: state_dir " + state)
        .contains("Not a directory");
  }

  @Test
  void aReadOnlyStateDirIsNamedWithItsKey() throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    if (!root && "1".equals(System.getenv("QGA_REQUIRE_REAL"))) {
      throw new AssertionError("QGA_REQUIRE_REAL=1: this test needs root (a read-only bind mount)");
    }
    assumeTrue(root, "needs root for a read-only bind mount");
    Path state = Files.createDirectories(dir.resolve("ro-state"));
    assertThat(
            new ProcessBuilder("mount", "--bind", state.toString(), state.toString())
                .start()
                .waitFor())
        .isZero();
    try {
      assertThat(
              new ProcessBuilder("mount", "-o", "remount,ro,bind", state.toString())
                  .start()
                  .waitFor())
          .isZero();
      assertThat(run(config("127.0.0.1:0", state, ""))).isEqualTo(1);
      assertThat(err.toString())
          .contains("cannot start: state_dir " + state + ": " + state)
          .contains("Read-only file system");
    } finally {
      new ProcessBuilder("umount", state.toString()).start().waitFor();
    }
  }

  @Test
  void aTakenListenAddressIsNamed() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String listen = "127.0.0.1:" + taken.getLocalPort();
      assertThat(run(config(listen, dir.resolve("state"), ""))).isEqualTo(1);
      assertThat(err.toString()).contains("cannot listen on server.listen " + listen);
    }
  }

  @Test
  void aBrokenTlsFileIsNamed() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Files.writeString(cert, "garbage\n");
    Files.writeString(key, "garbage\n");
    String tls = "  tls:\n    certificate: \"" + cert + "\"\n    key: \"" + key + "\"\n";
    assertThat(run(config("127.0.0.1:0", dir.resolve("state"), tls))).isEqualTo(1);
    assertThat(err.toString()).contains(cert.toString());
  }

  @Test
  void aMissingTlsFileOrConfigIsNamed() throws Exception {
    Path cert = dir.resolve("missing-cert.pem");
    Path key = dir.resolve("key.pem");
    Files.writeString(key, "garbage\n");
    String tls = "  tls:\n    certificate: \"" + cert + "\"\n    key: \"" + key + "\"\n";
    assertThat(run(config("127.0.0.1:0", dir.resolve("state"), tls))).isEqualTo(2);
    assertThat(err.toString()).contains("/server/tls/certificate").contains(cert.toString());

    Path missing = dir.resolve("missing.yaml");
    assertThat(run(missing)).isEqualTo(2);
    assertThat(err.toString()).contains(missing.toString()).contains("no such file");
  }
}
