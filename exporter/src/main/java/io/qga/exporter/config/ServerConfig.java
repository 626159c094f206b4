package io.qga.exporter.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code server}: the HTTP listener for /metrics, the landing page and the control API (which
 * {@code api.listen} may move to a listener of its own, {@link ApiListener}).
 *
 * @param tls HTTPS from PEM files when present (both files existed at load)
 * @param metricsAuth a bearer token required for /metrics when present
 * @param allowedHosts host names or addresses a request's {@code Host} header must name (any when
 *     empty): a defence against DNS rebinding
 * @param limits what a client may take of the listener
 */
public record ServerConfig(
    ListenAddress listen,
    Optional<Tls> tls,
    Optional<TokenSource> metricsAuth,
    List<String> allowedHosts,
    Limits limits) {

  public static final ServerConfig DEFAULT =
      new ServerConfig(ListenAddress.DEFAULT, Optional.empty(), Optional.empty());

  public ServerConfig {
    allowedHosts = List.copyOf(allowedHosts);
  }

  public ServerConfig(ListenAddress listen, Optional<Tls> tls, Optional<TokenSource> metricsAuth) {
    this(listen, tls, metricsAuth, List.of(), Limits.DEFAULT);
  }

  /**
   * {@code server.tls} (and {@code api.tls}): a PEM certificate chain and its PEM private key, and
   * optionally the CAs whose client certificates are asked for ({@code client_ca}, {@code
   * client_auth}).
   *
   * @param clientCa a PEM file of CA certificates; present exactly when {@code clientAuth} is not
   *     NONE
   */
  public record Tls(Path certificate, Path key, Optional<Path> clientCa, ClientAuth clientAuth) {
    public Tls {
      if (clientCa.isPresent() != (clientAuth != ClientAuth.NONE)) {
        throw new IllegalArgumentException("client_ca goes with client_auth request or require");
      }
    }

    /** Server certificate only: no client certificates asked for. */
    public Tls(Path certificate, Path key) {
      this(certificate, key, Optional.empty(), ClientAuth.NONE);
    }
  }

  /**
   * @param headerTimeout a connection whose first request has not arrived whole by then is closed
   * @param idleTimeout a connection that sends nothing for this long is closed
   * @param maxConnections connections open at once; more wait in the kernel's backlog
   */
  public record Limits(Duration headerTimeout, Duration idleTimeout, int maxConnections) {
    public static final Limits DEFAULT =
        new Limits(Duration.ofSeconds(10), Duration.ofSeconds(30), 1000);
  }
}
