package io.qga.exporter.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogLineFormatterTest {
  private final LogLineFormatter formatter = new LogLineFormatter();

  @Test
  void controlCharactersSeparatorsAndLoneSurrogatesBecomeVisibleEscapes() {
    assertThat(LogLineFormatter.escape("a\nb\rc\td\u0000e\u001b[31mf\u007fg\u0085h\u009bi"))
        .isEqualTo("a\\nb\\rc\\td\\x00e\\x1b[31mf\\x7fg\\u0085h\\u009bi");
    assertThat(LogLineFormatter.escape("x\u2028y\u2029z")).isEqualTo("x\\u2028y\\u2029z");
    assertThat(LogLineFormatter.escape("lone\ud800 and \udfff"))
        .isEqualTo("lone\\ud800 and \\udfff");
    assertThat(LogLineFormatter.escape("pair \ud83d\ude00, é, 中, C:\\Windows"))
        .isEqualTo("pair \ud83d\ude00, é, 中, C:\\Windows");
    assertThat(LogLineFormatter.escape("end\ud83d")).isEqualTo("end\\ud83d");
    assertThat(LogLineFormatter.escape(null)).isNull();
  }

  @Test
  void aRecordIsOneLineWithParametersEscaped() {
    LogRecord record = new LogRecord(Level.WARNING, "domain {0}: agent up (version {1})");
    record.setParameters(new Object[] {"vm\n1", "9.2\r\n2026-01-01T00:00:00.000Z SEVERE forged"});
    record.setInstant(Instant.parse("2026-12-01T12:00:00Z"));
    record.setLoggerName("io.qga.exporter.poll.Poller");

    String line = formatter.format(record);

    assertThat(line).endsWith(System.lineSeparator());
    assertThat(line.strip()).doesNotContain("\n", "\r");
    assertThat(line)
        .contains(
            "WARNING domain vm\\n"
                + "1: agent up (version 9.2\\r"
                + "\\n"
                + "2026-01-01T00:00:00.000Z SEVERE forged)");
  }

  @Test
  void aStackTraceStaysMultiLineWithEachMessageEscaped() {
    LogRecord record = new LogRecord(Level.WARNING, "poll failed");
    IllegalStateException cause = new IllegalStateException("desc\n\u001b[2J FAKE");
    record.setThrown(new RuntimeException("outer\rmessage", cause));

    String[] lines = formatter.format(record).split(System.lineSeparator());

    assertThat(lines[0]).endsWith("poll failed");
    assertThat(lines[1]).isEqualTo("java.lang.RuntimeException: outer\\rmessage");
    assertThat(lines[2]).startsWith("\tat io.qga.exporter.runtime.LogLineFormatterTest.");
    assertThat(lines)
        .contains("Caused by: java.lang.IllegalStateException: desc\\n\\x1b[2J FAKE")
        .allSatisfy(l -> assertThat(l).doesNotContain("\u001b", "\r"));
  }
}
