package io.qga.exporter.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.qga.exporter.config.ApiToken;
import io.qga.exporter.config.Role;
import io.qga.exporter.config.TokenSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A token file is read again on use (rotation without a reload). Swapped for a FIFO or a device, it
 * must not hang the request or fill the heap: its token is refused at once.
 */
class TokenFileTypeTest {
  @TempDir Path dir;

  @Test
  void aTokenFileSwappedForAFifoOrDeviceIsRefusedWithoutBlocking() throws Exception {
    Path file = dir.resolve("ansible.token");
    Files.writeString(file, "the-token-0123456789\n");
    Auth auth =
        new Auth(List.of(new ApiToken("ansible", new TokenSource.File(file), Role.OPERATOR)));
    assertThat(auth.verify("the-token-0123456789")).isPresent();

    Files.delete(file);
    Process p = new ProcessBuilder("mkfifo", file.toString()).inheritIO().start();
    assertThat(p.waitFor()).isZero();
    try {
      assertThat(
              assertTimeoutPreemptively(
                  Duration.ofSeconds(10),
                  () -> auth.verify("the-token-0123456789"),
                  "blocked on a FIFO"))
          .isEmpty();
    } finally {
      unblock(file);
    }

    Files.delete(file);
    Files.createSymbolicLink(file, Path.of("/dev/zero"));
    assertThat(
            assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () -> auth.verify("the-token-0123456789"),
                "read /dev/zero"))
        .isEmpty();

    Files.delete(file);
    Files.writeString(file, "the-token-0123456789\n");
    assertThat(auth.verify("the-token-0123456789")).as("back to a plain file").isPresent();
  }

  /** Releases a reader stuck opening {@code fifo} (a failing run): a writer opens and closes it. */
  private static void unblock(Path fifo) {
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
}
