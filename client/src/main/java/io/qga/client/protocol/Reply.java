package io.qga.client.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** One reply line of the agent: a {@code return} value, or an {@code error}. */
public sealed interface Reply permits Reply.Return, Reply.Error {

  /** {@code {"return": value}}; commands without a value return an empty object. */
  record Return(JsonNode value) implements Reply {
    public Return {
      Objects.requireNonNull(value, "value");
    }

    /** True when this is exactly the answer to {@code guest-sync(-delimited) {"id": id}}. */
    public boolean isSync(long id) {
      return value.isIntegralNumber() && value.canConvertToLong() && value.longValue() == id;
    }
  }

  /** {@code {"error": {"class": C, "desc": D}}}; missing members are empty strings. */
  record Error(String errorClass, String description) implements Reply {
    public Error {
      errorClass = errorClass == null ? "" : errorClass;
      description = description == null ? "" : description;
    }
  }
}
