package io.qga.sim;

import com.fasterxml.jackson.databind.JsonNode;

/** An error reply of the real agent: its class and desc, word for word. */
final class AgentError extends Exception {
  private static final long serialVersionUID = 1L;
  final String errorClass;

  AgentError(String errorClass, String desc) {
    super(desc, null, false, false);
    this.errorClass = errorClass;
  }

  static AgentError generic(String desc) {
    return new AgentError("GenericError", desc);
  }

  static long requiredLong(JsonNode arguments, String name) throws AgentError {
    JsonNode v = arguments.get(name);
    if (v == null) {
      throw AgentError.generic("Parameter '" + name + "' is missing");
    }
    return checkedLong(v, name);
  }

  static long checkedLong(JsonNode v, String name) throws AgentError {
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw AgentError.generic("Invalid parameter type for '" + name + "', expected: integer");
    }
    return v.asLong();
  }
}
