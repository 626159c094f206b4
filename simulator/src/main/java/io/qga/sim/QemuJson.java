package io.qga.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes replies the way qemu-ga does: {@code {"return": {"a": 1, "b": [1, 2]}}} with a space after
 * every colon and comma, pure ASCII (everything else escaped as backslash-u), one line.
 */
final class QemuJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectWriter WRITER =
      JsonMapper.builder()
          .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
          .build()
          .writer(new QemuPrinter());

  private QemuJson() {}

  static ObjectNode object() {
    return NODES.objectNode();
  }

  static ArrayNode array() {
    return NODES.arrayNode();
  }

  /** {@code {"return": value}} and a newline, as bytes. */
  static byte[] returnLine(JsonNode value) {
    ObjectNode reply = object();
    reply.set("return", value);
    return line(reply);
  }

  /** {@code {"error": {"class": errorClass, "desc": desc}}} and a newline, as bytes. */
  static byte[] errorLine(String errorClass, String desc) {
    ObjectNode error = object();
    error.put("class", errorClass);
    error.put("desc", desc);
    ObjectNode reply = object();
    reply.set("error", error);
    return line(reply);
  }

  static byte[] line(JsonNode value) {
    try {
      byte[] body = WRITER.writeValueAsBytes(value);
      byte[] all = new byte[body.length + 1];
      System.arraycopy(body, 0, all, 0, body.length);
      all[body.length] = '\n';
      return all;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** QEMU's separators: {@code ": "} and {@code ", "}. */
  private static final class QemuPrinter extends MinimalPrettyPrinter {
    private static final long serialVersionUID = 1L;

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(": ");
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
      g.writeRaw(", ");
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(", ");
    }
  }
}
