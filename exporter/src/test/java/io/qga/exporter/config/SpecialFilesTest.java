package io.qga.exporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.qga.exporter.Daemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A config or token file that is a FIFO or a device is refused at once, naming the path: at load,
 * and at a reload. Each check runs under a preemptive timeout, so a reader that blocks on the FIFO
 * (or reads /dev/zero for ever) fails the test instead of hanging the build.
 */
class SpecialFilesTest {
  private static final Duration LIMIT = Duration.ofSeconds(10);
  @TempDir Path dir;

  static Path mkfifo(Path path) throws Exception {
    Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
    assertThat(p.waitFor()).as("mkfifo " + path).isZero();
    return path;
  }

  /**
   * Releases a reader stuck opening {@code fifo} (a failing run): a writer opens and closes it, the
   * reader sees end of file. On a daemon thread, as with no reader the open itself waits.
   */
  static void unblock(Path fifo) {
    Thread t =
        new Thread(
            () -> {
              try {
                // WRITE without CREATE: a FIFO deleted meanwhile is not re-created as a file
                java.nio.file.Files.newOutputStream(fifo, java.nio.file.StandardOpenOption.WRITE)
                    .close();
              } catch (java.io.IOException e) {
                // gone already
              }
            },
            "unblock " + fifo);
    t.setDaemon(true);
    t.start();
  }

  private static String loadProblem(Path file) {
    return assertTimeoutPreemptively(
        LIMIT,
        () -> {
          try {
            ConfigLoader.load(file);
            return "loaded";
          } catch (ConfigException e) {
            return e.getMessage();
          }
        },
        "ConfigLoader.load(" + file + ") blocked");
  }

  @Test
  void aConfigThatIsAFifoIsRefusedWithoutBlocking() throws Exception {
    Path fifo = mkfifo(dir.resolve("config.yaml"));
    try {
      assertThat(loadProblem(fifo)).contains(fifo.toString()).contains("not a regular file");
    } finally {
      unblock(fifo);
    }
  }

  @Test
  void aConfigThatIsADeviceIsRefusedWithoutReadingItForEver() {
    for (String device : List.of("/dev/zero", "/dev/urandom")) {
      assertThat(loadProblem(Path.of(device)))
          .as(device)
          .contains(device)
          .contains("a FIFO, socket or device, not a regular file");
    }
  }

  @Test
  void aTokenFileThatIsAFifoDeviceOrTooLongIsAConfigErrorNamingIt() throws Exception {
    Path fifo = mkfifo(dir.resolve("fifo.token"));
    Path big = dir.resolve("big.token");
    Files.writeString(big, "x".repeat(5000));
    String yaml =
        "api:\n  tokens:\n"
            + "    - {name: a, token_file: \""
            + fifo
            + "\", role: reader}\n"
            + "    - {name: b, token_file: /dev/zero, role: reader}\n"
            + "    - {name: c, token_file: \""
            + big
            + "\", role: reader}\n";
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, yaml);
    String problems = loadProblem(config);
    assertThat(problems)
        .contains("/api/tokens/0/token_file")
        .contains(fifo.toString())
        .contains("/api/tokens/1/token_file")
        .contains("/dev/zero")
        .contains("/api/tokens/2/token_file")
        .contains(big + " is longer than 4096 bytes");
  }

  @Test
  void aReloadOfAConfigSwappedForAFifoKeepsTheOldConfigAndNamesThePath() throws Exception {
    Path config = dir.resolve("config.yaml");
    Files.writeString(
        config,
        "server:\n  listen: \"127.0.0.1:0\"\nstate_dir: \"" + dir.resolve("state") + "\"\n");
    try (Daemon daemon = Daemon.start(config, ConfigLoader.load(config), List.of())) {
      Files.delete(config);
      mkfifo(config);
      List<String> problems;
      try {
        problems =
            assertTimeoutPreemptively(LIMIT, daemon::reloadProblems, "reload blocked on a FIFO");
      } finally {
        unblock(config);
      }
      assertThat(String.join("\n", problems))
          .contains(config.toString())
          .contains("not a regular file");
      Files.delete(config);
      Files.createSymbolicLink(config, Path.of("/dev/zero"));
      problems = assertTimeoutPreemptively(LIMIT, daemon::reloadProblems, "reload read /dev/zero");
      assertThat(String.join("\n", problems)).contains(config.toString()).contains("device");
    }
  }
}
