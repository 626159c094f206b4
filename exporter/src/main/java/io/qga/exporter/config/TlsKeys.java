package io.qga.exporter.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The listener keys that {@code server} and {@code api} share: a {@code tls} block ({@code
 * certificate}, {@code key}, {@code client_ca}, {@code client_auth}), and {@code api.listen} with
 * its checks against {@code server.listen}.
 */
final class TlsKeys {
  static final List<String> TLS_KEYS = List.of("certificate", "key", "client_ca", "client_auth");

  private TlsKeys() {}

  /** A {@code tls} block at {@code path}; empty when absent or wrong (reported). */
  static Optional<ServerConfig.Tls> tls(Reader r, Object node, String path) {
    if (node == null) {
      return Optional.empty();
    }
    Map<String, Object> t = r.mapping(node, path, TLS_KEYS);
    Path cert = null;
    Path key = null;
    if (r.required(t, path, "certificate", "a PEM certificate chain file") != null) {
      cert = r.existingFile(t, path, "certificate", "certificate file");
    }
    if (r.required(t, path, "key", "a PEM private key file") != null) {
      key = r.existingFile(t, path, "key", "key file");
    }
    boolean ok = true;
    ClientAuth clientAuth = ClientAuth.NONE;
    String mode = r.string(t, path, "client_auth");
    if (mode != null) {
      try {
        clientAuth = ClientAuth.parse(mode);
      } catch (IllegalArgumentException e) {
        r.problem(Reader.child(path, "client_auth"), e.getMessage());
        ok = false;
      }
    }
    Optional<Path> clientCa = Optional.empty();
    if (t.get("client_ca") != null) {
      Path ca = r.existingFile(t, path, "client_ca", "client CA file");
      if (ca == null) {
        ok = false;
      } else if (ok && clientAuth == ClientAuth.NONE) {
        // as the exporter toolkit: CAs without a mode would look like protection and be none
        r.problem(
            Reader.child(path, "client_ca"),
            "client_ca is set but client_auth is none: add client_auth: require (or request)");
        ok = false;
      }
      clientCa = Optional.ofNullable(ca);
    } else if (clientAuth != ClientAuth.NONE) {
      r.problem(
          Reader.child(path, "client_auth"),
          "client_auth "
              + clientAuth.configName()
              + " needs client_ca: a PEM file of the CAs that sign the client certificates");
      ok = false;
    }
    if (cert == null || key == null || !ok) {
      return Optional.empty();
    }
    return Optional.of(new ServerConfig.Tls(cert, key, clientCa, clientAuth));
  }

  /** {@code api.listen} and {@code api.tls}; empty when {@code api.listen} is absent. */
  static Optional<ApiListener> apiListener(Reader r, Map<String, Object> api, String path) {
    String text = r.string(api, path, "listen");
    if (text == null) {
      if (api.get("tls") != null) {
        r.problem(
            Reader.child(path, "tls"),
            "api.tls needs api.listen: without a listener of its own the API is served on"
                + " server.listen with server.tls");
      }
      return Optional.empty();
    }
    Optional<ServerConfig.Tls> tls = tls(r, api.get("tls"), Reader.child(path, "tls"));
    try {
      return Optional.of(new ApiListener(ListenAddress.parse(text), tls));
    } catch (IllegalArgumentException e) {
      r.problem(Reader.child(path, "listen"), e.getMessage());
      return Optional.empty();
    }
  }

  /** Two listeners on one port would not both bind: say so at load, not at start. */
  static void checkApart(Reader r, ServerConfig server, ApiConfig api) {
    if (api.listener().isEmpty()) {
      return;
    }
    ListenAddress a = api.listener().get().listen();
    ListenAddress s = server.listen();
    if (a.port() == 0 || a.port() != s.port()) {
      return;
    }
    if (a.host().equals(s.host()) || wildcard(a.host()) || wildcard(s.host())) {
      r.problem(
          "/api/listen",
          "\""
              + a
              + "\" is the port of server.listen (\""
              + s
              + "\"): the API's own listener"
              + " needs another port (e.g. 127.0.0.1:9921)");
    }
  }

  private static boolean wildcard(String host) {
    return host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }
}
