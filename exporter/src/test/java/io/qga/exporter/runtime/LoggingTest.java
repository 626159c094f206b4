package io.qga.exporter.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** {@link Logging#apply}: switching formats and back, and the level, on the real root logger. */
class LoggingTest {
  @Test
  void plainGoesBackToTheHandlersOwnFormatterAndLevelsApply() {
    Logger root = Logger.getLogger("");
    Level before = root.getLevel();
    StdoutHandler handler = new StdoutHandler();
    Formatter own =
        new Formatter() {
          @Override
          public String format(LogRecord r) {
            return "own\n";
          }
        };
    handler.setFormatter(own);
    root.addHandler(handler);
    try {
      Logging.apply(LogLevel.DEBUG, LogFormat.JSON);
      assertThat(handler.getFormatter()).isInstanceOf(JsonLogFormatter.class);
      assertThat(root.getLevel()).isEqualTo(Level.FINE);
      Logging.apply(null, LogFormat.LOGFMT);
      assertThat(handler.getFormatter()).isInstanceOf(LogfmtFormatter.class);
      assertThat(root.getLevel()).as("null leaves the level").isEqualTo(Level.FINE);
      // plain is the handler's own formatter (and whatever escaping it does), not a new one
      Logging.apply(LogLevel.WARN, LogFormat.PLAIN);
      assertThat(handler.getFormatter()).isSameAs(own);
      assertThat(root.getLevel()).isEqualTo(Level.WARNING);
    } finally {
      root.removeHandler(handler);
      root.setLevel(before);
    }
  }
}
