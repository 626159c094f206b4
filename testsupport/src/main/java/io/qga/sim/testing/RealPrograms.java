package io.qga.sim.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds real programs for tests tagged {@code real}. When one is missing the test is skipped with a
 * message naming it (a JUnit assumption), unless {@code QGA_REQUIRE_REAL=1}: then it fails, so CI
 * cannot pass by skipping.
 *
 * <pre>{@code
 * Path qemuGa = RealPrograms.require("qemu-ga");
 * }</pre>
 */
public final class RealPrograms {
  /** Searched after PATH: Debian puts daemons and admin tools in sbin. */
  private static final List<String> EXTRA_DIRS =
      List.of("/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin", "/bin", "/usr/local/bin");

  private RealPrograms() {}

  /** True when {@code QGA_REQUIRE_REAL=1}: missing programs fail instead of skipping. */
  public static boolean required() {
    return "1".equals(System.getenv("QGA_REQUIRE_REAL"));
  }

  /** The executable {@code program} on PATH or in the sbin/bin directories, if any. */
  public static Optional<Path> find(String program) {
    if (program.contains("/")) {
      Path p = Path.of(program);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(java.io.File.pathSeparator)));
    }
    dirs.addAll(EXTRA_DIRS);
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * The path of {@code program}; when it is missing, skips the calling test (or fails it under
   * {@code QGA_REQUIRE_REAL=1}).
   */
  public static Path require(String program) {
    Optional<Path> found = find(program);
    if (found.isPresent()) {
      return found.get();
    }
    String message =
        program + " is not installed (not on PATH nor in /usr/sbin, /sbin, /usr/local/sbin)";
    if (required()) {
      throw new AssertionError(message + ", and QGA_REQUIRE_REAL=1 requires it");
    }
    Assumptions.abort(message + ": skipping; set QGA_REQUIRE_REAL=1 to fail instead");
    throw new IllegalStateException("unreachable");
  }
}
