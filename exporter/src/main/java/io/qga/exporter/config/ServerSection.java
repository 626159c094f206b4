package io.qga.exporter.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads {@code server} (listener, TLS, metrics auth, host checks) and token sources for {@link
 * ConfigLoader}.
 */
final class ServerSection {
  static final String PLAIN_TOKEN =
      "a plain token is not allowed in the config (config files get copied, diffed and logged):"
          + " put it in a file readable only by the exporter (token_file: PATH), or give its"
          + " SHA-256 (sha256: HEX, from `printf %s TOKEN | sha256sum`)";

  private ServerSection() {}

  static ServerConfig server(Reader r, Object node) {
    String path = "/server";
    Map<String, Object> m =
        r.mapping(
            node,
            path,
            List.of(
                "listen",
                "tls",
                "metrics_auth",
                "allowed_hosts",
                "header_timeout",
                "idle_timeout",
                "max_connections"));
    ListenAddress listen = ListenAddress.DEFAULT;
    String text = r.string(m, path, "listen");
    if (text != null) {
      try {
        listen = ListenAddress.parse(text);
      } catch (IllegalArgumentException e) {
        r.problem(path + "/listen", e.getMessage());
      }
    }
    Optional<ServerConfig.Tls> tls = TlsKeys.tls(r, m.get("tls"), path + "/tls");
    Optional<TokenSource> metricsAuth = Optional.empty();
    if (m.get("metrics_auth") != null) {
      String p = path + "/metrics_auth";
      Map<String, Object> a =
          r.mapping(
              m.get("metrics_auth"),
              p,
              List.of("token_file", "sha256"),
              "key",
              Map.of("token", PLAIN_TOKEN));
      metricsAuth =
          Optional.ofNullable(tokenSource(r, a, p, hasKey(m.get("metrics_auth"), "token")));
    }
    List<String> hosts = new ArrayList<>();
    List<String> given = r.strings(m, path, "allowed_hosts", List.of());
    for (int i = 0; i < given.size(); i++) {
      String h = given.get(i).strip();
      if (h.startsWith("[") && h.endsWith("]")) {
        h = h.substring(1, h.length() - 1);
      }
      if (!ALLOWED_HOST.matcher(h).matches()) {
        r.problem(
            Reader.child(path + "/allowed_hosts", i),
            "\""
                + given.get(i)
                + "\" is not a host name or address (no scheme, port or path: e.g."
                + " exporter.example.org, 192.0.2.10, ::1)");
      } else {
        hosts.add(h.toLowerCase(java.util.Locale.ROOT));
      }
    }
    ServerConfig.Limits d = ServerConfig.Limits.DEFAULT;
    ServerConfig.Limits limits =
        new ServerConfig.Limits(
            r.duration(m, path, "header_timeout", d.headerTimeout(), true),
            r.duration(m, path, "idle_timeout", d.idleTimeout(), true),
            r.integer(m, path, "max_connections", d.maxConnections(), 1, 1_000_000));
    return new ServerConfig(listen, tls, metricsAuth, hosts, limits);
  }

  static final Pattern ALLOWED_HOST = Pattern.compile("[A-Za-z0-9._:-]{1,253}");

  static boolean hasKey(Object node, String key) {
    return node instanceof Map<?, ?> raw && raw.containsKey(key);
  }

  /** Exactly one of token_file / sha256; {@code plainTokenGiven}: already reported, say no more. */
  static TokenSource tokenSource(
      Reader r, Map<String, Object> m, String path, boolean plainTokenGiven) {
    boolean file = m.get("token_file") != null;
    boolean hash = m.get("sha256") != null;
    if (file && hash) {
      r.problem(path, "give either token_file or sha256, not both");
      return null;
    }
    if (!file && !hash) {
      if (plainTokenGiven) {
        return null;
      }
      r.problem(
          path,
          "needs token_file (a file holding the token) or sha256 (64 hex digits of the token's"
              + " SHA-256)");
      return null;
    }
    if (file) {
      Path p = r.existingFile(m, path, "token_file", "token file");
      if (p != null && p.toFile().length() > ConfigLoader.MAX_TOKEN_FILE_BYTES) {
        r.problem(
            path + "/token_file",
            "token file " + p + " is longer than " + ConfigLoader.MAX_TOKEN_FILE_BYTES + " bytes");
        return null;
      }
      return p == null ? null : new TokenSource.File(p);
    }
    String hex = r.string(m, path, "sha256");
    if (hex == null) {
      return null;
    }
    String lower = hex.trim().toLowerCase(java.util.Locale.ROOT);
    if (!lower.matches("[0-9a-f]{64}")) {
      r.problem(
          path + "/sha256",
          "must be 64 hex digits (the SHA-256 of the token, from `printf %s TOKEN | sha256sum`),"
              + " got "
              + hex.length()
              + " characters");
      return null;
    }
    return new TokenSource.Sha256(lower);
  }
}
