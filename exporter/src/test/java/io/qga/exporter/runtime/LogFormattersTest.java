package io.qga.exporter.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * The logfmt and JSON line formats through the real {@link StdoutHandler}: one line per record
 * whatever the message holds, parsed back to the same text.
 */
class LogFormattersTest {
  /** Text a guest could choose (a host name, an agent error description, a mount point). */
  static final String HOSTILE =
      "vm \"web\"=1\nts=2000-01-01T00:00:00Z level=error msg=forged\r\u001b[31mred\u001b[0m"
          + " tab\there \\ back \u0085nel \u009b2J \u2028ls é漢 \u0000nul";

  private static final ObjectMapper JSON = new ObjectMapper();

  private static String render(LogFormat format, LogRecord... records) {
    PrintStream old = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      StdoutHandler h = new StdoutHandler();
      h.setLevel(Level.ALL);
      h.setFormatter(format.formatter());
      for (LogRecord r : records) {
        h.publish(r);
      }
      h.close();
    } finally {
      System.setOut(old);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static LogRecord record(Level level, String message, Throwable thrown) {
    LogRecord r = new LogRecord(level, message);
    r.setLoggerName("io.qga.exporter.poll.Poller");
    r.setInstant(Instant.parse("2026-12-01T12:34:56.789Z"));
    r.setThrown(thrown);
    return r;
  }

  private static List<String> lines(String text) {
    assertThat(text).endsWith("\n");
    return List.of(text.substring(0, text.length() - 1).split("\n", -1));
  }

  @Test
  void logfmtQuotesAndEscapesSoTheLineParsesBackToTheMessage() {
    String text =
        render(
            LogFormat.LOGFMT,
            record(Level.WARNING, HOSTILE, null),
            record(Level.FINE, "plain", null),
            record(Level.SEVERE, "boom", new IllegalStateException("bad\nstate")));
    List<String> lines = lines(text);
    assertThat(lines).hasSize(3);
    for (String line : lines) {
      assertThat(line).doesNotContain("\r", "\u001b", "\u0085", "\u009b", "\u2028", "\u0000");
    }
    Map<String, String> first = parseLogfmt(lines.get(0));
    assertThat(first)
        .containsExactly(
            Map.entry("ts", "2026-12-01T12:34:56.789Z"),
            Map.entry("level", "warn"),
            Map.entry("logger", "Poller"),
            Map.entry("msg", HOSTILE));
    assertThat(lines.get(1))
        .isEqualTo("ts=2026-12-01T12:34:56.789Z level=debug logger=Poller msg=plain");
    Map<String, String> third = parseLogfmt(lines.get(2));
    assertThat(third.get("level")).isEqualTo("error");
    assertThat(third.get("err")).isEqualTo("java.lang.IllegalStateException: bad\nstate");
    assertThat(third.get("stack")).contains("at io.qga.exporter.runtime.LogFormattersTest");
  }

  @Test
  void jsonLinesParseWithJacksonToTheSameMessage() throws Exception {
    String text =
        render(
            LogFormat.JSON,
            record(Level.INFO, HOSTILE, null),
            record(Level.SEVERE, "failed {0}", new RuntimeException("x\u001by")));
    List<String> lines = lines(text);
    assertThat(lines).hasSize(2);
    for (String line : lines) {
      assertThat(line.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
    }
    JsonNode first = JSON.readTree(lines.get(0));
    assertThat(first.get("ts").asText()).isEqualTo("2026-12-01T12:34:56.789Z");
    assertThat(first.get("level").asText()).isEqualTo("info");
    assertThat(first.get("logger").asText()).isEqualTo("Poller");
    assertThat(first.get("msg").asText()).isEqualTo(HOSTILE);
    assertThat(first.has("err")).isFalse();
    JsonNode second = JSON.readTree(lines.get(1));
    assertThat(second.get("level").asText()).isEqualTo("error");
    assertThat(second.get("err").asText()).isEqualTo("java.lang.RuntimeException: x\u001by");
    assertThat(second.get("stack").asText()).contains("LogFormattersTest");
  }

  @Test
  void levelNamesAndParsing() {
    assertThat(LogLevel.parse("WARN")).isEqualTo(LogLevel.WARN);
    assertThat(LogLevel.DEBUG.jul()).isEqualTo(Level.FINE);
    assertThat(LogLevel.of(Level.FINEST)).isEqualTo("debug");
    assertThat(LogFormat.parse(" json ")).isEqualTo(LogFormat.JSON);
  }

  /**
   * A logfmt reader written from the format's description (go-logfmt): key=value pairs split by
   * spaces; a quoted value ends at an unescaped quote; escapes as in JSON strings.
   */
  static Map<String, String> parseLogfmt(String line) {
    Map<String, String> out = new LinkedHashMap<>();
    int i = 0;
    while (i < line.length()) {
      int eq = line.indexOf('=', i);
      assertThat(eq).as("key at %d in %s", i, line).isPositive();
      String key = line.substring(i, eq);
      assertThat(key).matches("[a-z]+");
      i = eq + 1;
      StringBuilder value = new StringBuilder();
      if (i < line.length() && line.charAt(i) == '"') {
        i++;
        while (true) {
          assertThat(i).as("unterminated quote in %s", line).isLessThan(line.length());
          char c = line.charAt(i++);
          if (c == '"') {
            break;
          }
          if (c == '\\') {
            char e = line.charAt(i++);
            switch (e) {
              case 'n' -> value.append('\n');
              case 'r' -> value.append('\r');
              case 't' -> value.append('\t');
              case '"', '\\' -> value.append(e);
              case 'u' -> {
                value.append((char) Integer.parseInt(line.substring(i, i + 4), 16));
                i += 4;
              }
              default -> throw new AssertionError("bad escape \\" + e + " in " + line);
            }
          } else {
            value.append(c);
          }
        }
      } else {
        while (i < line.length() && line.charAt(i) != ' ') {
          value.append(line.charAt(i++));
        }
      }
      assertThat(out.put(key, value.toString())).as("duplicate key " + key).isNull();
      if (i < line.length()) {
        assertThat(line.charAt(i)).as("space after a pair in " + line).isEqualTo(' ');
        i++;
      }
    }
    return out;
  }
}
