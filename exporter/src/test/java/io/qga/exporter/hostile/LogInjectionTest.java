package io.qga.exporter.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.exporter.runtime.StdoutHandler;
import io.qga.sim.scripted.ScriptedAgent;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest's text and a socket's file name in the real daemon's log: its agent version and an error
 * description carry a newline with a forged record, CR, an ANSI colour escape and NUL, and a socket
 * file name holds a newline. What the daemon's own log handler writes has one line per record, the
 * escapes visible, and no raw control byte.
 */
class LogInjectionTest {
  private static final String EVIL =
      "\n2026-12-01T00:00:00.000Z SEVERE FAKE LINE\r\u001b[31m\u0000red";
  private static final Pattern RECORD_START =
      Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z [A-Z]+ .*");
  private static final Pattern TRACE_LINE =
      Pattern.compile(
          "^(\tat |\t\\.\\.\\.|Caused by: |\tSuppressed: |[a-z][\\w$]*(\\.[\\w$]+)+).*");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private final StdoutHandler handler = new StdoutHandler(log);
  private final Logger root = Logger.getLogger("");
  private Harness harness;
  private ScriptedAgent liar;
  private ScriptedAgent newlineSocket;

  @AfterEach
  void stop() {
    if (harness != null) {
      harness.close();
    }
    if (liar != null) {
      liar.close();
    }
    if (newlineSocket != null) {
      newlineSocket.close();
    }
    root.removeHandler(handler);
  }

  @Test
  void guestTextAndSocketNamesCannotForgeLinesOrSendTerminalEscapes() throws Exception {
    harness = new Harness(dir);
    liar = ScriptedAgent.start(harness.agentsDir.resolve("liar.sock")).flavour("linux-7.2");
    ObjectNode info = (ObjectNode) fixture("guest-info");
    ((ObjectNode) info.get("return")).put("version", "7.2" + EVIL);
    liar.answer("guest-info", JSON.writeValueAsString(info));
    ObjectNode error = JSON.createObjectNode();
    error.putObject("error").put("class", "GenericError").put("desc", "broken" + EVIL);
    liar.answer("guest-get-osinfo", JSON.writeValueAsString(error));
    newlineSocket =
        ScriptedAgent.start(harness.agentsDir.resolve("nl\nFAKE LINE.sock")).flavour("linux-7.2");
    root.addHandler(handler);

    harness.start(harness.config("1s", "2s", "1s", ""));
    Harness.await(
        Duration.ofSeconds(20),
        "the liar's version, its error and the newline socket logged",
        () -> {
          String text = text();
          return text.contains("liar: agent up (version 7.2")
              && text.contains("collector os failing")
              && text.contains("FAKE LINE.sock");
        });
    handler.flush();

    byte[] bytes = log.toByteArray();
    for (byte b : bytes) {
      assertThat(b)
          .as("raw control byte in the log:\n%s", text())
          .isNotIn((byte) 0x1b, (byte) 0, (byte) '\r');
    }
    String text = text();
    for (String line : text.split("\n")) {
      assertThat(RECORD_START.matcher(line).matches() || TRACE_LINE.matcher(line).matches())
          .as("a line that is neither a record nor a stack frame: [%s]\nlog:\n%s", line, text)
          .isTrue();
      assertThat(line).doesNotStartWith("2026-12-01T00:00:00.000Z SEVERE FAKE LINE");
    }
    String escaped = "\\n2026-12-01T00:00:00.000Z SEVERE FAKE LINE\\r\\x1b[31m\\x00red";
    assertThat(text)
        .contains("liar: agent up (version 7.2" + escaped)
        .contains("broken" + escaped)
        .contains("nl\\nFAKE LINE.sock");
  }

  private String text() {
    handler.flush();
    return log.toString(StandardCharsets.UTF_8);
  }

  private static com.fasterxml.jackson.databind.JsonNode fixture(String command) throws Exception {
    try (InputStream in =
        ScriptedAgent.class.getResourceAsStream(
            "/io/qga/sim/fixtures/linux-7.2/" + command + ".json")) {
      return JSON.readTree(in);
    }
  }
}
