package io.qga.exporter.api;

import io.prometheus.metrics.core.metrics.Counter;

/**
 * {@code qga_exec_requests_total{kind, outcome}}: requests to the exec and file endpoints ({@code
 * kind} {@code exec}, {@code file_put} or {@code file_get}) by how they ended ({@code ok}, {@code
 * bad_request}, {@code forbidden}, {@code not_found}, {@code conflict}, {@code too_large}, {@code
 * unsupported}, {@code busy}, {@code agent_error}, {@code unavailable}, {@code timeout}, {@code
 * error}). Requests without a valid token are not counted here (see {@code
 * qga_api_auth_failures_total}).
 */
final class ExecRequests {
  private final Counter requests =
      Counter.builder()
          .name("qga_exec_requests_total")
          .help("Exec and file requests to guests by kind and outcome.")
          .labelNames("kind", "outcome")
          .build();

  Counter collector() {
    return requests;
  }

  void record(String kind, int status) {
    requests.labelValues(kind, outcome(status)).inc();
  }

  static String outcome(int status) {
    return switch (status) {
      case 200 -> "ok";
      case 400, 405, 415 -> "bad_request";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 409 -> "conflict";
      case 413 -> "too_large";
      case 422 -> "unsupported";
      case 429 -> "busy";
      case 502 -> "agent_error";
      case 503 -> "unavailable";
      case 504 -> "timeout";
      default -> "error";
    };
  }
}
