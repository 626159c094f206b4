package io.qga.exporter.api;

import io.qga.exporter.config.ApiToken;
import io.qga.exporter.config.Role;
import io.qga.exporter.config.TokenSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Checks bearer tokens against {@code api.tokens} (and {@code server.metrics_auth}).
 *
 * <p>Every comparison is between SHA-256 digests (32 bytes each, whatever the length of the token
 * presented) with {@link MessageDigest#isEqual}, which takes the same time wherever the arrays
 * differ; every configured token is compared, a match does not stop the loop. So neither a token's
 * content nor its length, nor which token matched, shows in the response time.
 *
 * <p>A {@code token_file} is read when first used and again whenever its modification time, size or
 * inode changes: a rotated token takes effect without a reload, and the old token stops working at
 * once.
 */
final class Auth {
  private static final Logger LOG = Logger.getLogger(Auth.class.getName());

  /** Tokens and token files longer than this are refused (a header or a file gone wrong). */
  static final int MAX_TOKEN = 4096;

  /** Who presented a valid token. */
  record Caller(String name, Role role) {}

  private final List<ApiToken> tokens;
  private final BiPredicate<byte[], byte[]> equal;
  private final ConcurrentHashMap<Path, FileDigest> files = new ConcurrentHashMap<>();

  /** Unreadable token files already logged (one line per file, not one per request). */
  private final Set<Path> warned = ConcurrentHashMap.newKeySet();

  /** The digest of a token file as of its last read, and what identified that version. */
  private record FileDigest(FileTime modified, long size, Object key, byte[] digest) {}

  Auth(List<ApiToken> tokens) {
    this(tokens, MessageDigest::isEqual);
  }

  /** {@code equal} compares two digests; tests pass a recording one. */
  Auth(List<ApiToken> tokens, BiPredicate<byte[], byte[]> equal) {
    this.tokens = List.copyOf(tokens);
    this.equal = Objects.requireNonNull(equal);
  }

  boolean enabled() {
    return !tokens.isEmpty();
  }

  /** The caller whose token this is, or empty for a wrong token (or none configured). */
  Optional<Caller> verify(String presented) {
    if (presented == null || presented.isEmpty() || presented.length() > MAX_TOKEN) {
      return Optional.empty();
    }
    byte[] digest = sha256(presented.getBytes(StandardCharsets.UTF_8));
    Caller found = null;
    for (ApiToken t : tokens) {
      byte[] expected = expected(t.source());
      // compare every token: the time taken does not depend on which one matched
      boolean same = expected != null && equal.test(digest, expected);
      if (same && found == null) {
        found = new Caller(t.name(), t.role());
      }
    }
    return Optional.ofNullable(found);
  }

  /** True when {@code presented} is the token of {@code source} (metrics_auth). */
  boolean matches(TokenSource source, String presented) {
    if (presented == null || presented.isEmpty() || presented.length() > MAX_TOKEN) {
      return false;
    }
    byte[] expected = expected(source);
    return expected != null
        && equal.test(sha256(presented.getBytes(StandardCharsets.UTF_8)), expected);
  }

  /** The expected digest; null when a token file cannot be read (nobody matches it then). */
  private byte[] expected(TokenSource source) {
    if (source instanceof TokenSource.Sha256 s) {
      return HexFormat.of().parseHex(s.hex());
    }
    Path path = ((TokenSource.File) source).path();
    try {
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
      FileDigest cached = files.get(path);
      if (cached != null
          && cached.modified().equals(a.lastModifiedTime())
          && cached.size() == a.size()
          && Objects.equals(cached.key(), a.fileKey())) {
        return cached.digest();
      }
      byte[] digest = readTokenFile(path);
      files.put(path, new FileDigest(a.lastModifiedTime(), a.size(), a.fileKey(), digest));
      warned.remove(path);
      if (cached != null) {
        LOG.log(Level.INFO, "token file " + path + " changed: using the new token");
      }
      return digest;
    } catch (IOException | RuntimeException e) {
      files.remove(path);
      if (warned.add(path)) {
        LOG.log(
            Level.WARNING,
            "cannot read token file " + path + ": " + e.getMessage() + " (its token is refused)");
      }
      return null;
    }
  }

  private static byte[] readTokenFile(Path path) throws IOException {
    // a regular file of at most MAX_TOKEN bytes: a FIFO put there would hang every request
    byte[] bytes = io.qga.exporter.config.RegularFile.read(path, MAX_TOKEN, "token file");
    String token;
    try {
      token = TokenSource.tokenIn(path, new String(bytes, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    return sha256(token.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /**
   * The token of an {@code Authorization: Bearer TOKEN} header, or null when there is none or it is
   * not a bearer header.
   */
  static String bearer(String header) {
    if (header == null) {
      return null;
    }
    String h = header.strip();
    if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = h.substring(7).strip();
    return token.isEmpty() ? null : token;
  }

  /** The names of the configured tokens (for logs). */
  List<String> names() {
    List<String> out = new ArrayList<>();
    tokens.forEach(t -> out.add(t.name()));
    return out;
  }
}
