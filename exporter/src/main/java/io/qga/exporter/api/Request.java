package io.qga.exporter.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.qga.exporter.config.Durations;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One API request: method, decoded path segments, query parameters, and the body read with a bound.
 * Every parse error is an {@link ApiException} naming what was wrong.
 */
final class Request {
  static final ObjectMapper JSON = mapper(1 << 20);

  /** For bodies with large strings: base64 standard input of {@code POST .../exec}. */
  static final ObjectMapper LARGE_STRINGS_JSON = mapper(16 << 20);

  private static ObjectMapper mapper(int maxString) {
    return JsonMapper.builder(
            JsonFactory.builder()
                .streamReadConstraints(
                    StreamReadConstraints.builder()
                        .maxNestingDepth(32)
                        .maxStringLength(maxString)
                        .maxNumberLength(64)
                        .build())
                .build())
        // strict: {"a":1,"a":2} and {...} followed by more text are errors, not guesses
        .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        // a member no body record names is refused, not ignored (see body(long, Class))
        .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();
  }

  private static final int MAX_QUERY = 4096;

  private final HttpExchange exchange;
  private final String method;
  private final List<String> segments;
  private final Map<String, String> query;

  Request(HttpExchange exchange) {
    this.exchange = exchange;
    this.method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
    this.segments = segments(exchange.getRequestURI().getRawPath());
    this.query = parseQuery(exchange.getRequestURI().getRawQuery());
  }

  String method() {
    return method;
  }

  List<String> segments() {
    return segments;
  }

  /** 404 naming the path asked for. */
  ApiException notFound() {
    return ApiException.notFound(
        "no such endpoint: " + Views.cut("/" + String.join("/", segments)));
  }

  /** 405 unless the request uses {@code allowed}. */
  void method(String allowed) {
    if (!method.equals(allowed)) {
      throw new ApiException(405, "use " + allowed + " for this endpoint").with("allow", allowed);
    }
  }

  /** The client's address (for the log of failed authentications). */
  java.net.InetSocketAddress remote() {
    return exchange.getRemoteAddress();
  }

  String header(String name) {
    return exchange.getRequestHeaders().getFirst(name);
  }

  /** {@code ?name=true|false|1|0}; absent is false. */
  boolean flag(String name) {
    String v = query.get(name);
    if (v == null) {
      return false;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "" -> true;
      case "false", "0", "no" -> false;
      default ->
          throw ApiException.badField(
              name, name + " must be true or false, not \"" + Views.cut(v) + "\"");
    };
  }

  /** {@code ?wait=30s} (or plain seconds), cut to {@code max}; zero when absent. */
  Duration waitFor(Duration max) {
    String v = query.get("wait");
    if (v == null || v.isEmpty()) {
      return Duration.ZERO;
    }
    Duration d;
    try {
      d = v.matches("\\d{1,9}") ? Duration.ofSeconds(Long.parseLong(v)) : Durations.parse(v);
    } catch (IllegalArgumentException e) {
      throw ApiException.badField("wait", "wait: " + e.getMessage());
    }
    return d.compareTo(max) > 0 ? max : d;
  }

  /**
   * The body bound to {@code type}, a record from {@link Bodies} (an empty body binds as {@code
   * {}}). Refuses a body over {@code maxBody} bytes before reading it when Content-Length says so,
   * and stops reading at {@code maxBody + 1} bytes otherwise (chunked). Only the members the record
   * names may appear; its creator checks their values.
   */
  <T> T body(long maxBody, Class<T> type) throws IOException {
    return body(maxBody, type, JSON);
  }

  /** {@link #body(long, Class)} parsed by {@code json} (a mapper of this class). */
  <T> T body(long maxBody, Class<T> type, ObjectMapper json) throws IOException {
    ObjectNode node = object(maxBody, json);
    try {
      return json.treeToValue(node, type);
    } catch (UnrecognizedPropertyException e) {
      Set<String> allowed = new TreeSet<>();
      e.getKnownPropertyIds().forEach(id -> allowed.add(String.valueOf(id)));
      String f = e.getPropertyName();
      throw ApiException.badField(
          Views.cut(f),
          "unknown field \""
              + Views.cut(f)
              + "\""
              + (allowed.isEmpty()
                  ? " (this endpoint takes no body)"
                  : " (allowed: " + String.join(", ", allowed) + ")"));
    } catch (JsonProcessingException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof ApiException refused) {
          throw refused; // a creator in Bodies named the field that is wrong
        }
      }
      throw new ApiException(
          400, "the body does not fit this endpoint: " + Views.cut(e.getOriginalMessage()));
    }
  }

  /** The body as a JSON object, read with the bounds of {@link #body(long, Class)}. */
  private ObjectNode object(long maxBody, ObjectMapper json) throws IOException {
    String length = header("Content-Length");
    if (length != null) {
      long n;
      try {
        n = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        throw new ApiException(400, "Content-Length is not a number: " + Views.cut(length));
      }
      if (n > maxBody) {
        throw tooLarge(maxBody);
      }
    }
    byte[] bytes;
    try (InputStream in = exchange.getRequestBody()) {
      bytes = readAtMost(in, maxBody + 1);
    }
    if (bytes.length > maxBody) {
      throw tooLarge(maxBody);
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (text.isBlank()) {
      return JSON.createObjectNode(); // no body: nothing to label, any Content-Type or none
    }
    checkJsonType(header("Content-Type"));
    JsonNode node;
    try {
      node = json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ApiException(
          400, "the body is not valid JSON: " + Views.cut(e.getOriginalMessage()));
    }
    if (node == null || !node.isObject()) {
      throw new ApiException(400, "the body must be a JSON object");
    }
    return (ObjectNode) node;
  }

  /**
   * A body must be labelled {@code application/json} exactly (parameters after ';' allowed, a
   * charset only if UTF-8): curl's default form type, {@code application/jsonx} or no label at all
   * are 415, so what the client meant is never guessed.
   */
  static void checkJsonType(String header) {
    if (header == null || header.isBlank()) {
      throw new ApiException(
          415,
          "a request body needs Content-Type: application/json (curl: -H 'Content-Type:"
              + " application/json')");
    }
    String[] parts = header.split(";");
    String type = parts[0].strip().toLowerCase(Locale.ROOT);
    if (!type.equals("application/json")) {
      throw new ApiException(
          415,
          "the body must be JSON (Content-Type: application/json), not "
              + Views.cut(header.strip()));
    }
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].strip().toLowerCase(Locale.ROOT);
      if (p.startsWith("charset=") && !p.substring(8).replace("\"", "").equals("utf-8")) {
        throw new ApiException(
            415, "the body must be UTF-8 JSON, not " + Views.cut(header.strip()));
      }
    }
  }

  private static ApiException tooLarge(long maxBody) {
    return new ApiException(413, "the body is larger than api.max_body (" + maxBody + " bytes)");
  }

  /** The names of the query parameters given. */
  Set<String> queryNames() {
    return query.keySet();
  }

  /** A query parameter, or null when absent. */
  String query(String name) {
    return query.get(name);
  }

  /** The declared body length, null when not declared (chunked); 400 when not a number. */
  Long contentLength() {
    String length = header("Content-Length");
    if (length == null) {
      return null;
    }
    try {
      long n = Long.parseLong(length.trim());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ApiException(400, "Content-Length is not a number: " + Views.cut(length));
    }
  }

  /** The raw body stream (for octet-stream bodies, read by their handler). */
  InputStream bodyStream() {
    return exchange.getRequestBody();
  }

  private static byte[] readAtMost(InputStream in, long limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    long total = 0;
    int n;
    while (total < limit && (n = in.read(buf, 0, (int) Math.min(buf.length, limit - total))) > 0) {
      out.write(buf, 0, n);
      total += n;
    }
    return out.toByteArray();
  }

  /** Percent-decoded path segments; a segment may not decode to contain '/' or NUL. */
  static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    if (rawPath == null) {
      return out;
    }
    for (String s : rawPath.split("/")) {
      if (s.isEmpty()) {
        continue;
      }
      String d = decode(s, false);
      if (d.indexOf('/') >= 0 || d.indexOf('\0') >= 0) {
        throw new ApiException(400, "a path segment may not contain '/' or NUL");
      }
      out.add(d);
    }
    return out;
  }

  private static Map<String, String> parseQuery(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    if (raw.length() > MAX_QUERY) {
      throw new ApiException(400, "the query string is longer than " + MAX_QUERY + " characters");
    }
    for (String part : raw.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String k = decode(eq < 0 ? part : part.substring(0, eq), true);
      String v = eq < 0 ? "" : decode(part.substring(eq + 1), true);
      if (out.putIfAbsent(k, v) != null) {
        // ?dry_run=true&dry_run=false once ran a real fstrim: never pick one of two answers
        throw ApiException.badField(
            Views.cut(k), "query parameter " + Views.cut(k) + " is given more than once");
      }
    }
    return out;
  }

  /** RFC 3986 percent-decoding as UTF-8; {@code plus}: '+' is a space (query strings). */
  static String decode(String s, boolean plus) {
    if (s.indexOf('%') < 0 && (!plus || s.indexOf('+') < 0)) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw new ApiException(400, "bad percent-encoding in " + Views.cut(s));
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new ApiException(400, "bad percent-encoding in " + Views.cut(s));
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else if (c == '+' && plus) {
        out.write(' ');
      } else {
        int cp = s.codePointAt(i);
        byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        i += Character.charCount(cp) - 1;
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
