package io.qga.exporter.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code server}: the one HTTP listener for /metrics, the landing page and the control API.
 *
 * @param tls HTTPS from PEM files when present (both files existed at load)
 * @param metricsAuth a bearer token required for /metrics when present
 */
public record ServerConfig(ListenAddress listen, Optional<Tls> tls, Optional<TokenSource> metricsAuth) {

  public static final ServerConfig DEFAULT =
      new ServerConfig(ListenAddress.DEFAULT, Optional.empty(), Optional.empty());

  /** {@code server.tls}: a PEM certificate chain and its PEM private key. */
  public record Tls(Path certificate, Path key) {}
}
