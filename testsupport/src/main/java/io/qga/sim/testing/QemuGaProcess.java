package io.qga.sim.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The real {@code qemu-ga} serving this host's own data on a unix socket in a temporary directory,
 * for integration tests:
 *
 * <pre>{@code
 * try (QemuGaProcess agent = QemuGaProcess.start(tempDir)) {
 *   ... connect to agent.socket() ...
 * }
 * }</pre>
 *
 * <p>Started as {@code qemu-ga -m unix-listen -p DIR/qga.sock -t DIR/state -f DIR/qga.pid -b
 * BLOCKED} with every machine-changing command in {@link #BLOCKED} disabled (team rule 5), so a
 * test can never freeze, shut down, or write to the host. {@link #close()} stops it by PID and
 * waits for it. Skips the test when qemu-ga is missing (see {@link RealPrograms}).
 */
public final class QemuGaProcess implements AutoCloseable {
  /** Every command that changes the machine; fsfreeze-status stays (read-only). */
  public static final List<String> BLOCKED =
      List.of(
          "guest-fsfreeze-freeze",
          "guest-fsfreeze-freeze-list",
          "guest-fsfreeze-thaw",
          "guest-shutdown",
          "guest-suspend-disk",
          "guest-suspend-ram",
          "guest-suspend-hybrid",
          "guest-set-time",
          "guest-set-user-password",
          "guest-set-vcpus",
          "guest-set-memory-blocks",
          "guest-exec",
          "guest-exec-status",
          "guest-file-open",
          "guest-file-close",
          "guest-file-read",
          "guest-file-write",
          "guest-file-seek",
          "guest-file-flush",
          "guest-ssh-add-authorized-keys",
          "guest-ssh-remove-authorized-keys",
          "guest-fstrim");

  private static final Duration STARTUP = Duration.ofSeconds(10);

  private final Process process;
  private final Path socket;
  private final Path log;

  private QemuGaProcess(Process process, Path socket, Path log) {
    this.process = process;
    this.socket = socket;
    this.log = log;
  }

  /**
   * Starts qemu-ga in {@code dir} (a fresh temporary directory) and waits until its socket accepts
   * connections.
   *
   * @throws IOException it did not start or did not listen within 10 s (its log is in the message)
   */
  public static QemuGaProcess start(Path dir) throws IOException {
    Path binary = RealPrograms.require("qemu-ga");
    Path state = Files.createDirectories(dir.resolve("state"));
    Path socket = dir.resolve("qga.sock");
    Path pidFile = dir.resolve("qga.pid");
    Path log = dir.resolve("qga.log");
    ProcessBuilder pb =
        new ProcessBuilder(
                binary.toString(),
                "-m",
                "unix-listen",
                "-p",
                socket.toString(),
                "-t",
                state.toString(),
                "-f",
                pidFile.toString(),
                "-b",
                String.join(",", BLOCKED))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Process process = pb.start();
    QemuGaProcess agent = new QemuGaProcess(process, socket, log);
    try {
      agent.awaitListening();
    } catch (IOException | RuntimeException e) {
      agent.close();
      throw e;
    }
    return agent;
  }

  private void awaitListening() throws IOException {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "qemu-ga exited with " + process.exitValue() + " before listening: " + log());
      }
      if (Files.exists(socket)) {
        try (AFUNIXSocket probe = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socket))) {
          return;
        } catch (IOException notYet) {
          // not accepting yet
        }
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for qemu-ga", e);
      }
    }
    throw new IOException(
        "qemu-ga did not listen on " + socket + " within " + STARTUP + ": " + log());
  }

  /** The agent's unix socket. */
  public Path socket() {
    return socket;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** What qemu-ga wrote to stdout/stderr so far. */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Stops qemu-ga by PID (SIGTERM, then SIGKILL after 5 s) and waits for it. Never throws. */
  public void stop() {
    ProcessHandle handle = process.toHandle();
    handle.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        handle.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      handle.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
