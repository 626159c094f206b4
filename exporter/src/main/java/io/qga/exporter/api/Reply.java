package io.qga.exporter.api;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * A response: status, a body Jackson writes (a record from {@link Responses}, or a view from {@link
 * Views}), or bytes that are JSON already, and extra headers.
 */
record Reply(int status, Object body, byte[] raw, Map<String, String> headers) {
  Reply(int status, Object body, Map<String, String> headers) {
    this(status, body, null, headers);
  }

  Reply(int status, Object body) {
    this(status, body, null, Map.of());
  }

  /** The refusal as a reply, with the header its status calls for. */
  static Reply of(ApiException e) {
    Map<String, String> headers =
        switch (e.status()) {
          case 401 -> Map.of("WWW-Authenticate", "Bearer realm=\"qga-exporter\"");
          case 405 -> Map.of("Allow", e.member("allow", ""));
          case 429 -> Map.of("Retry-After", e.member("retry_after_seconds", "1"));
          default -> Map.of();
        };
    return new Reply(e.status(), e.body(), headers);
  }

  /**
   * A body of raw bytes waiting in a host file ({@code GET .../files}): sent with its exact length
   * as {@code application/octet-stream}, and the file deleted after.
   */
  record Spooled(java.nio.file.Path file, long size) {}

  void send(HttpExchange exchange) throws IOException {
    if (body instanceof Spooled spooled) {
      sendFile(exchange, spooled);
      return;
    }
    byte[] bytes =
        raw != null ? raw : Request.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
    var h = exchange.getResponseHeaders();
    h.set("Content-Type", "application/json");
    h.set("Cache-Control", "no-store");
    h.set("X-Content-Type-Options", "nosniff");
    headers.forEach(h::set);
    if (status == 413) {
      h.set("Connection", "close");
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private void sendFile(HttpExchange exchange, Spooled spooled) throws IOException {
    try {
      var h = exchange.getResponseHeaders();
      h.set("Content-Type", "application/octet-stream");
      h.set("Cache-Control", "no-store");
      h.set("X-Content-Type-Options", "nosniff");
      headers.forEach(h::set);
      // a zero length here would mean "chunked" to HttpExchange; -1 is "no body"
      exchange.sendResponseHeaders(status, spooled.size() == 0 ? -1 : spooled.size());
      if (spooled.size() > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          java.nio.file.Files.copy(spooled.file(), out);
        }
      } else {
        exchange.getResponseBody().close();
      }
    } finally {
      java.nio.file.Files.deleteIfExists(spooled.file());
    }
  }
}
