package io.qga.exporter.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.qga.exporter.api.Auth.Caller;
import io.qga.exporter.config.Role;
import io.qga.exporter.config.TokenSource;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Who may do what, in one place: the bearer token of every protected route ({@code /api/v1/*} but
 * the OpenAPI document, {@code POST /-/reload}, {@code /metrics} under {@code server.metrics_auth})
 * is checked here, each failure counted and logged by {@link AuthFailures} (401), and {@link
 * #require} is the role check of every endpoint (403).
 */
final class AuthFilter {
  private final Supplier<ControlApi.Settings> settings;
  private final AuthFailures failures;

  AuthFilter(Supplier<ControlApi.Settings> settings, AuthFailures failures) {
    this.settings = settings;
    this.failures = failures;
  }

  /** The caller of an API request, or 401 (counted) without a valid token. */
  Caller authenticate(Request req) {
    String what = req.method() + " " + Views.cut("/" + String.join("/", req.segments()));
    String header = req.header("Authorization");
    if (header == null) {
      failures.record(AuthFailures.Reason.MISSING, req.remote(), what);
      throw new ApiException(401, "missing Authorization: Bearer TOKEN header");
    }
    String token = Auth.bearer(header);
    if (token == null) {
      failures.record(AuthFailures.Reason.MALFORMED, req.remote(), what);
      throw new ApiException(401, "the Authorization header must be \"Bearer TOKEN\"");
    }
    Optional<Caller> caller = settings.get().auth().verify(token);
    if (caller.isEmpty()) {
      failures.record(AuthFailures.Reason.INVALID, req.remote(), what);
      throw new ApiException(401, "invalid token");
    }
    return caller.get();
  }

  /** 403 unless the caller's role is at least {@code required}; {@code what} names the deed. */
  static void require(Caller caller, Role required, String what) {
    if (!caller.role().atLeast(required)) {
      throw new ApiException(
              403,
              "token \""
                  + caller.name()
                  + "\" has role "
                  + caller.role().configName()
                  + "; to "
                  + what
                  + " it needs "
                  + required.configName()
                  + " or higher")
          .with("required_role", required.configName());
    }
  }

  /**
   * The admin asking for {@code POST /-/reload}, or null when no tokens are configured (then the
   * listener's own reload rules apply); 401 (counted) or 403 otherwise.
   */
  Caller reloader(HttpExchange exchange) {
    ControlApi.Settings s = settings.get();
    if (!s.auth().enabled()) {
      return null;
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    String token = Auth.bearer(header);
    if (token == null) {
      failures.record(
          header == null ? AuthFailures.Reason.MISSING : AuthFailures.Reason.MALFORMED,
          exchange.getRemoteAddress(),
          "POST /-/reload");
      throw new ApiException(401, "reloading needs an admin token: Authorization: Bearer TOKEN");
    }
    Optional<Caller> found = s.auth().verify(token);
    if (found.isEmpty()) {
      failures.record(AuthFailures.Reason.INVALID, exchange.getRemoteAddress(), "POST /-/reload");
      throw new ApiException(401, "invalid token");
    }
    Caller caller = found.get();
    if (!caller.role().atLeast(Role.ADMIN)) {
      throw new ApiException(
          403,
          "token \""
              + caller.name()
              + "\" has role "
              + caller.role().configName()
              + "; reloading needs admin");
    }
    return caller;
  }

  /** {@code page} behind the token of {@code server.metrics_auth}: 401 (counted) without it. */
  HttpHandler metrics(TokenSource source, HttpHandler page) {
    return exchange -> {
      String header = exchange.getRequestHeaders().getFirst("Authorization");
      String token = Auth.bearer(header);
      if (token == null || !settings.get().auth().matches(source, token)) {
        failures.record(
            header == null
                ? AuthFailures.Reason.MISSING
                : token == null ? AuthFailures.Reason.MALFORMED : AuthFailures.Reason.INVALID,
            exchange.getRemoteAddress(),
            exchange.getRequestMethod() + " /metrics");
        exchange
            .getResponseHeaders()
            .set("WWW-Authenticate", "Bearer realm=\"qga-exporter metrics\"");
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        byte[] body =
            "/metrics needs Authorization: Bearer TOKEN (server.metrics_auth)\n".getBytes();
        exchange.sendResponseHeaders(401, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
        return;
      }
      page.handle(exchange);
    };
  }
}
