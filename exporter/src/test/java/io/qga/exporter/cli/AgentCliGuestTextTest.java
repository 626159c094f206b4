package io.qga.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.sim.scripted.ScriptedAgent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent} prints a guest's error text with control characters as visible escapes. */
class AgentCliGuestTextTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream savedErr;
  private ScriptedAgent agent;

  @BeforeEach
  void capture() throws Exception {
    savedErr = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    agent = ScriptedAgent.start(dir.resolve("agent.sock"));
  }

  @AfterEach
  void restore() {
    System.setErr(savedErr);
    agent.close();
  }

  @Test
  void anErrorDescriptionCannotSendTerminalEscapes() {
    agent.expect(
        "guest-get-osinfo",
        "{\"error\": {\"class\": \"GenericError\","
            + " \"desc\": \"boom\\n\\u001b[2J\\u001b]0;owned\\u0007\\r\\u0000 FAKE\"}}");

    assertThat(Main.execute("agent", "--socket", agent.socket().toString(), "guest-get-osinfo"))
        .isEqualTo(1);

    String text = err.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .isEqualTo(
            "GenericError: boom\\n\\x1b[2J\\x1b]0;owned\\x07\\r\\x00 FAKE"
                + System.lineSeparator());
  }
}
