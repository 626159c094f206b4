package io.qga.exporter.config;

import java.time.Duration;

/**
 * {@code api.exec}: the endpoints that run programs and move files inside a guest through its agent
 * ({@code POST .../exec}, {@code PUT}/{@code GET .../files}). Off by default: whoever holds an
 * admin token can then do anything the guest's agent can, usually as root.
 *
 * @param maxTimeout the longest a command may run; a request asking for more is cut to this
 * @param defaultTimeout how long a command may run when the request names no timeout
 * @param maxOutput bytes kept per output stream (stdout, stderr); beyond: cut and flagged
 * @param maxFileSize the largest file written or read, and the largest standard input
 * @param chunkSize bytes per {@code guest-file-read}/{@code guest-file-write} call
 */
public record ExecConfig(
    boolean enabled,
    Duration maxTimeout,
    Duration defaultTimeout,
    long maxOutput,
    long maxFileSize,
    int chunkSize) {

  public static final int MIN_CHUNK = 4 * 1024;
  public static final int MAX_CHUNK = 1024 * 1024;

  /** qemu-ga keeps at most 16 MiB of each output stream. */
  public static final long MAX_OUTPUT = 16L << 20;

  public static final ExecConfig DEFAULT =
      new ExecConfig(
          false, Duration.ofMinutes(10), Duration.ofSeconds(60), 16L << 20, 256L << 20, 48 * 1024);

  public ExecConfig {
    if (chunkSize < MIN_CHUNK || chunkSize > MAX_CHUNK) {
      throw new IllegalArgumentException(
          "chunk_size must be in " + MIN_CHUNK + ".." + MAX_CHUNK + ": " + chunkSize);
    }
    if (maxOutput < 0 || maxFileSize < 1) {
      throw new IllegalArgumentException("max_output and max_file_size must be positive");
    }
  }

  public ExecConfig withEnabled(boolean on) {
    return new ExecConfig(on, maxTimeout, defaultTimeout, maxOutput, maxFileSize, chunkSize);
  }
}
