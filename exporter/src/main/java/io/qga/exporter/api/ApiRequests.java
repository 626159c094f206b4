package io.qga.exporter.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.qga.exporter.http.HttpRoute;
import java.util.List;
import java.util.Set;

/**
 * {@code qga_api_requests_total{endpoint,code}}: control API requests by route template and status.
 * The {@code endpoint} label is a template such as {@code /api/v1/domains/{domain}/fstrim}, never
 * the raw path: a client chooses the path, so raw paths would let anyone with network access mint
 * series. Paths that match no route count as {@code other}; codes are the three digits of a status
 * the server sent.
 */
public final class ApiRequests {
  /** The verbs under {@code /api/v1/domains/{domain}/} that have an endpoint (docs/api.md). */
  static final Set<String> DOMAIN_VERBS =
      Set.of(
          "ping",
          "fstrim",
          "time-sync",
          "fsfreeze",
          "fsthaw",
          "shutdown",
          "command",
          "exec",
          "files");

  static final String OTHER = "other";

  private final Counter requests;

  public ApiRequests(PrometheusRegistry registry) {
    this.requests =
        Counter.builder()
            .name("qga_api_requests_total")
            .help("Control API requests by endpoint (route template) and HTTP status code.")
            .labelNames("endpoint", "code")
            .register(registry);
  }

  /** Counts one answered request. */
  public void record(String endpointTemplate, int status) {
    if (status < 100 || status > 599) {
      return; // nothing was sent (the client went away first)
    }
    requests.labelValues(endpointTemplate, Integer.toString(status)).inc();
  }

  /**
   * The routes with {@code /api/} and {@code /-/reload} counted: each request is recorded once,
   * after its handler answered, with the status the handler sent.
   */
  public List<HttpRoute> counting(List<HttpRoute> routes) {
    return routes.stream()
        .map(
            r ->
                r.prefix().equals("/api/") || r.prefix().equals("/-/reload")
                    ? new HttpRoute(r.prefix(), counted(r.handler()))
                    : r)
        .toList();
  }

  private HttpHandler counted(HttpHandler inner) {
    return exchange -> {
      try {
        inner.handle(exchange);
      } finally {
        record(template(exchange), exchange.getResponseCode());
      }
    };
  }

  private static String template(HttpExchange exchange) {
    return template(exchange.getRequestURI().getRawPath());
  }

  /** The route template of a raw request path, or {@link #OTHER}. */
  static String template(String rawPath) {
    if (rawPath == null) {
      return OTHER;
    }
    if (rawPath.equals("/-/reload")) {
      return rawPath;
    }
    String path =
        rawPath.endsWith("/") && rawPath.length() > 1
            ? rawPath.substring(0, rawPath.length() - 1)
            : rawPath;
    String[] p = path.split("/", -1);
    // p[0] is "" (the path starts with /)
    if (p.length < 4 || !p[0].isEmpty() || !p[1].equals("api") || !p[2].equals("v1")) {
      return OTHER;
    }
    boolean named = p.length >= 5 && !p[4].isEmpty();
    return switch (p[3]) {
      case "openapi.json" -> p.length == 4 ? "/api/v1/openapi.json" : OTHER;
      case "domains" -> {
        if (p.length == 4) {
          yield "/api/v1/domains";
        }
        if (p.length == 5 && named) {
          yield "/api/v1/domains/{domain}";
        }
        if (p.length == 6 && named && DOMAIN_VERBS.contains(p[5])) {
          yield "/api/v1/domains/{domain}/" + p[5];
        }
        yield OTHER;
      }
      case "jobs" -> p.length == 5 && named ? "/api/v1/jobs/{id}" : OTHER;
      case "policies" -> {
        if (p.length == 4) {
          yield "/api/v1/policies";
        }
        yield p.length == 6 && named && p[5].equals("run") ? "/api/v1/policies/{name}/run" : OTHER;
      }
      default -> OTHER;
    };
  }
}
