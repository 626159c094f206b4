package io.qga.exporter.action;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Real mounts for tests of a full or read-only {@code state_dir}: a small tmpfs, filled to the last
 * byte, and a read-only bind mount. Needs root: without it the test is skipped with a message, and
 * with {@code QGA_REQUIRE_REAL=1} it fails instead. {@link #close} unmounts everything it mounted,
 * newest first.
 */
public final class RealMounts implements AutoCloseable {
  private final List<Path> mounted = new ArrayList<>();

  /** Skips (or, with QGA_REQUIRE_REAL=1, fails) the calling test unless it runs as root. */
  public static void requireRoot(String what) {
    boolean root;
    try {
      root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException e) {
      root = false;
    }
    String message = what + " needs root (mount -t tmpfs, mount --bind); run the tests as root";
    if (!root && "1".equals(System.getenv("QGA_REQUIRE_REAL"))) {
      throw new AssertionError(message + " (QGA_REQUIRE_REAL=1 turns this skip into a failure)");
    }
    Assumptions.assumeTrue(root, message);
  }

  /** Mounts a tmpfs of {@code size} (e.g. {@code 64k}) on {@code dir}, creating it. */
  public Path tmpfs(Path dir, String size) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    mount("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "qga-test", dir.toString());
    mounted.add(dir);
    return dir;
  }

  /** Makes {@code dir} read-only: a bind mount of itself, remounted read-only. */
  public void readOnly(Path dir) throws IOException, InterruptedException {
    mount("mount", "--bind", dir.toString(), dir.toString());
    mounted.add(dir);
    run("mount", "-o", "remount,ro,bind", dir.toString());
  }

  /**
   * Writes {@code dir/filler} until the filesystem refuses (ENOSPC) and returns it; delete it to
   * free the space.
   */
  public static Path fill(Path dir) throws IOException {
    Path filler = dir.resolve("filler");
    byte[] block = new byte[512];
    try (OutputStream out = Files.newOutputStream(filler)) {
      for (long i = 0; i < (1L << 24); i++) {
        out.write(block);
      }
      throw new AssertionError("wrote 8 GiB to " + filler + " without running out of space");
    } catch (IOException e) {
      if (!String.valueOf(e.getMessage()).contains("No space left on device")) {
        throw e;
      }
    }
    // small writes too, until not one more byte fits
    try (OutputStream out =
        Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
      for (int i = 0; i < 8192; i++) {
        out.write(0);
        out.flush();
      }
    } catch (IOException full) {
      // full to the byte
    }
    return filler;
  }

  /**
   * {@link #fill}s {@code dir}, then appends small padding records to {@code log} until it refuses:
   * the space left in the last page of its file is gone too, so the next record (a few hundred
   * bytes) cannot be written.
   */
  public static Path fill(Path dir, AuditLog log) throws IOException {
    Path filler = fill(dir);
    for (int i = 0; i < 10_000; i++) {
      com.fasterxml.jackson.databind.node.ObjectNode pad =
          com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
      pad.put("pad", "x".repeat(40));
      try {
        log.append(pad);
      } catch (IOException full) {
        return filler;
      }
    }
    throw new AssertionError("the audit log " + log.file() + " never filled up");
  }

  /** A mount that root may still be refused (a container without CAP_SYS_ADMIN): a skip. */
  private static void mount(String... command) throws IOException, InterruptedException {
    try {
      run(command);
    } catch (IOException e) {
      if ("1".equals(System.getenv("QGA_REQUIRE_REAL"))) {
        throw new AssertionError(e.getMessage() + " (QGA_REQUIRE_REAL=1: mounts are required)", e);
      }
      Assumptions.abort("cannot mount here: " + e.getMessage());
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out.trim());
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    IOException failed = null;
    for (int i = mounted.size() - 1; i >= 0; i--) {
      Path dir = mounted.get(i);
      try {
        run("umount", dir.toString());
      } catch (IOException e) {
        // still busy (a file open in a failed test): detach it all the same
        try {
          run("umount", "-l", dir.toString());
        } catch (IOException again) {
          failed = again;
        }
      }
    }
    mounted.clear();
    if (failed != null) {
      throw failed;
    }
  }
}
