package io.qga.client.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.AgentCommand;
import io.qga.client.AgentProtocolException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * Encodes requests and decodes reply lines. The guest is untrusted, so decoding is bounded: a line
 * of at most {@link #MAX_REPLY_BYTES} (as libvirt), nesting, string, number and name lengths capped
 * by Jackson's {@link StreamReadConstraints}, and no non-finite numbers. A breach is an {@link
 * AgentProtocolException}.
 */
public final class ReplyCodec {
  /** The longest reply line accepted, newline excluded: 10 MiB, as libvirt. */
  public static final int MAX_REPLY_BYTES = 10 * 1024 * 1024;

  /** Deepest JSON nesting accepted; real replies nest at most 6 levels. */
  static final int MAX_NESTING = 32;

  /** Longest number (digits) accepted: a 64-bit value has 20. */
  static final int MAX_NUMBER_LENGTH = 64;

  /** Longest member name accepted: real ones are short identifiers. */
  static final int MAX_NAME_LENGTH = 256;

  /** An error {@code desc} is cut to this many characters before it reaches logs. */
  static final int MAX_ERROR_TEXT = 1024;

  static final ObjectMapper JSON = mapper(MAX_REPLY_BYTES);

  private ReplyCodec() {}

  static ObjectMapper mapper(int maxBytes) {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .maxNameLength(MAX_NAME_LENGTH)
                    .maxStringLength(maxBytes)
                    .maxDocumentLength(maxBytes + 1L)
                    .build())
            .build();
    return JsonMapper.builder(factory).build();
  }

  /** {@code {"execute": name, "arguments": {...}}} and a newline; never an {@code id}. */
  public static byte[] encode(AgentCommand command) {
    ObjectNode request = JSON.createObjectNode();
    request.put("execute", command.name());
    ObjectNode arguments = command.arguments();
    if (arguments != null) {
      request.set("arguments", arguments);
    }
    return line(request);
  }

  /**
   * The sync preamble: a raw {@code 0xFF} (makes the agent drop half-parsed input) followed by
   * {@code guest-sync-delimited {"id": id}}.
   */
  public static byte[] syncRequest(long id) {
    ObjectNode request = JSON.createObjectNode();
    request.put("execute", "guest-sync-delimited");
    request.putObject("arguments").put("id", id);
    byte[] body = line(request);
    byte[] all = new byte[body.length + 1];
    all[0] = (byte) 0xFF;
    System.arraycopy(body, 0, all, 1, body.length);
    return all;
  }

  private static byte[] line(ObjectNode request) {
    try {
      return (JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode request", e);
    }
  }

  /** Decodes one reply line (without its newline). */
  public static Reply parse(byte[] line) {
    return parse(line, 0, line.length);
  }

  /**
   * Decodes one reply line (without its newline).
   *
   * @throws AgentProtocolException the line is too long, not JSON, breaks a bound, or is not a
   *     reply object
   */
  public static Reply parse(byte[] buf, int offset, int length) {
    if (length > MAX_REPLY_BYTES) {
      throw new AgentProtocolException(
          "reply of " + length + " bytes exceeds the limit of " + MAX_REPLY_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = JSON.readTree(buf, offset, length);
    } catch (IOException e) {
      throw new AgentProtocolException("reply is not valid JSON: " + firstLine(e.getMessage()), e);
    }
    if (root == null || root.isMissingNode()) {
      throw new AgentProtocolException("empty reply line");
    }
    if (!root.isObject()) {
      throw new AgentProtocolException("reply is not a JSON object but " + root.getNodeType());
    }
    requireFinite(root);
    JsonNode value = root.get("return");
    if (value != null) {
      return new Reply.Return(value);
    }
    JsonNode error = root.get("error");
    if (error != null && error.isObject()) {
      return new Reply.Error(text(error.get("class")), text(error.get("desc")));
    }
    throw new AgentProtocolException(
        "reply has neither \"return\" nor an \"error\" object: " + preview(root.toString()));
  }

  private static String text(JsonNode node) {
    if (node == null || node.isNull()) {
      return "";
    }
    String s = node.isTextual() ? node.textValue() : node.toString();
    return s.length() > MAX_ERROR_TEXT ? s.substring(0, MAX_ERROR_TEXT) + "..." : s;
  }

  /** 1e400 parses as infinity: no metric or time computation can use it. */
  private static void requireFinite(JsonNode root) {
    Deque<JsonNode> todo = new ArrayDeque<>();
    todo.push(root);
    while (!todo.isEmpty()) {
      JsonNode node = todo.pop();
      if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
        throw new AgentProtocolException("reply holds a number out of range: " + node);
      }
      if (node.isContainerNode()) {
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
          todo.push(it.next());
        }
      }
    }
  }

  static String preview(String text) {
    return text.length() > 120 ? text.substring(0, 120) + "..." : text;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return preview(nl < 0 ? message : message.substring(0, nl));
  }
}
