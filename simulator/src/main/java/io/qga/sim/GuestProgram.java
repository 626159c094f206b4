package io.qga.sim;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A program a simulated guest runs for {@code guest-exec}, registered with {@link
 * SimulatedGuest#program}: it gets the arguments, the environment and standard input, and says what
 * the process does. The run is decided at once; {@link Run#runsFor} is how long the process seems
 * to run before {@code guest-exec-status} reports it exited.
 */
@FunctionalInterface
public interface GuestProgram {
  Run run(List<String> args, List<String> env, byte[] stdin);

  /**
   * What a process did: exit code (null with {@code signal} set for a killed one), its output and
   * how long it runs; {@code runsFor} null: it never exits.
   */
  record Run(Integer exitCode, Integer signal, byte[] stdout, byte[] stderr, Duration runsFor) {
    public Run {
      stdout = Objects.requireNonNull(stdout, "stdout").clone();
      stderr = Objects.requireNonNull(stderr, "stderr").clone();
    }

    /** Exited with {@code exitCode} at once. */
    public static Run exited(int exitCode, byte[] stdout, byte[] stderr) {
      return new Run(exitCode, null, stdout, stderr, Duration.ZERO);
    }

    /** Still running at every status request. */
    public static Run forever() {
      return new Run(null, null, new byte[0], new byte[0], null);
    }

    public Run after(Duration runsFor) {
      return new Run(exitCode, signal, stdout, stderr, runsFor);
    }
  }
}
