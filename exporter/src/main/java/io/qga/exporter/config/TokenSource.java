package io.qga.exporter.config;

import java.nio.file.Path;

/**
 * Where a bearer token is checked against: a file holding the token (read by the API on use, so a
 * rotated file takes effect without a reload), or the SHA-256 of the token. Never the token itself:
 * config files get copied, diffed and logged.
 */
public sealed interface TokenSource permits TokenSource.File, TokenSource.Sha256 {

  /** A file whose content (trimmed of surrounding whitespace) is the token. */
  record File(Path path) implements TokenSource {}

  /**
   * The token in the text of token file {@code file}: its one non-empty line, stripped.
   *
   * @throws IllegalArgumentException naming the file when it is empty or has more than one
   *     non-empty line (two tokens, or a token and a note: which one was meant is not guessed)
   */
  static String tokenIn(Path file, String text) {
    String token = text.strip();
    if (token.isEmpty()) {
      throw new IllegalArgumentException("token file " + file + " is empty");
    }
    long lines = token.lines().filter(l -> !l.isBlank()).count();
    if (lines > 1) {
      throw new IllegalArgumentException(
          "token file " + file + " has " + lines + " non-empty lines: it must hold one token");
    }
    return token;
  }

  /** The lowercase hex SHA-256 (64 characters) of the token's UTF-8 bytes. */
  record Sha256(String hex) implements TokenSource {
    public Sha256 {
      if (hex == null || !hex.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits");
      }
    }

    @Override
    public String toString() {
      return "Sha256[" + hex.substring(0, 8) + "...]";
    }
  }
}
