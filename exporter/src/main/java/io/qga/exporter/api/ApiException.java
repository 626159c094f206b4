package io.qga.exporter.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the API refuses, with the HTTP status and the error body: {@code {"error": MESSAGE,
 * "status": N}} plus {@code field} when one field was wrong, plus any extra members.
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  /** {@code field} and the extra members, in the order they were added. */
  private final transient Map<String, Object> details = new LinkedHashMap<>();

  ApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  static ApiException badField(String field, String message) {
    return new ApiException(400, message).with("field", field);
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

  /** The body to send. */
  Responses.Error body() {
    return new Responses.Error(getMessage(), status, new LinkedHashMap<>(details));
  }

  /** An extra member's value as text, or {@code otherwise} when there is none. */
  String member(String name, String otherwise) {
    Object v = details.get(name);
    return v == null ? otherwise : v.toString();
  }

  ApiException with(String member, String value) {
    details.put(member, value);
    return this;
  }

  ApiException with(String member, long value) {
    details.put(member, value);
    return this;
  }

  ApiException with(String member, boolean value) {
    details.put(member, value);
    return this;
  }
}
