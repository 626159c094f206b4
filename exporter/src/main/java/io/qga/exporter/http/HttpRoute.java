package io.qga.exporter.http;

import com.sun.net.httpserver.HttpHandler;
import java.util.Objects;

/**
 * An extra handler on the daemon's listener, e.g. the control API under {@code /api/}. A route
 * whose prefix equals a built-in one ({@code /-/reload}) replaces the built-in handler, so the
 * control API can put its authentication in front of reload.
 */
public record HttpRoute(String prefix, HttpHandler handler) {
  public HttpRoute {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(handler, "handler");
    if (!prefix.startsWith("/")) {
      throw new IllegalArgumentException("route prefix must start with /: " + prefix);
    }
  }
}
