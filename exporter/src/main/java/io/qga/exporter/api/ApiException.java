package io.qga.exporter.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request the API refuses, with the HTTP status and the error body: {@code {"error": MESSAGE,
 * "status": N}} plus {@code field} when one field was wrong, plus any extra members.
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final transient ObjectNode body;

  ApiException(int status, String message) {
    super(message);
    this.status = status;
    this.body = JsonNodeFactory.instance.objectNode();
    body.put("error", message);
    body.put("status", status);
  }

  static ApiException badField(String field, String message) {
    ApiException e = new ApiException(400, message);
    e.body.put("field", field);
    return e;
  }

  static ApiException notFound(String message) {
    return new ApiException(404, message);
  }

  static ApiException conflict(String message) {
    return new ApiException(409, message);
  }

  int status() {
    return status;
  }

  /** The body to send; callers may add members before sending. */
  ObjectNode body() {
    return body;
  }

  ApiException with(String member, String value) {
    body.put(member, value);
    return this;
  }

  ApiException with(String member, boolean value) {
    body.put(member, value);
    return this;
  }
}
