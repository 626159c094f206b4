package io.qga.exporter.config;

import java.util.Optional;

/**
 * {@code api.listen} and {@code api.tls}: a listener of its own for the control API ({@code
 * /api/...}, {@code /-/reload}); {@code server.listen} then serves only {@code /metrics}, {@code
 * /}, {@code /-/healthy} and {@code /-/ready}.
 *
 * @param tls HTTPS for this listener; empty: plain HTTP (server.tls is not inherited)
 */
public record ApiListener(ListenAddress listen, Optional<ServerConfig.Tls> tls) {}
