package io.qga.exporter.config;

import java.util.Locale;

/**
 * {@code tls.client_auth}: whether the listener asks TLS clients for a certificate (exporter
 * toolkit's {@code client_auth_type}).
 */
public enum ClientAuth {
  /** No client certificate is asked for (the default). */
  NONE,
  /**
   * A certificate is asked for but not required; one that is sent must chain to {@code client_ca}
   * or the handshake fails (exporter toolkit's VerifyClientCertIfGiven).
   */
  REQUEST,
  /**
   * A certificate chaining to {@code client_ca} is required: without one the handshake fails
   * (RequireAndVerifyClientCert).
   */
  REQUIRE;

  /** The config spelling: none, request, require. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the config spelling; the message lists the valid values. */
  static ClientAuth parse(String text) {
    for (ClientAuth a : values()) {
      if (a.configName().equals(text.strip())) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "\"" + text + "\" is not a client_auth mode (valid: none, request, require)");
  }
}
