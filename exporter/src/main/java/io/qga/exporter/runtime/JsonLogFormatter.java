package io.qga.exporter.runtime;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object per line: {@code {"ts":..., "level":..., "logger":..., "msg":...}} and, with an
 * exception, {@code "err"} and {@code "stack"}. Jackson writes it, escaping every control character
 * and (ESCAPE_NON_ASCII) everything outside ASCII, so no message can break the line or smuggle a C1
 * control or line separator to a terminal.
 */
final class JsonLogFormatter extends Formatter {
  private static final ObjectWriter JSON =
      JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build().writer();

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Line(String ts, String level, String logger, String msg, String err, String stack) {}

  @Override
  public String format(LogRecord record) {
    Throwable t = record.getThrown();
    Line line =
        new Line(
            LogfmtFormatter.TS.format(LogfmtFormatter.millis(record)),
            LogLevel.of(record.getLevel()),
            LogfmtFormatter.shortName(record.getLoggerName()),
            formatMessage(record),
            t == null ? null : String.valueOf(t),
            t == null ? null : LogfmtFormatter.stack(t));
    try {
      return JSON.writeValueAsString(line) + "\n";
    } catch (JsonProcessingException e) {
      return "{\"level\":\"error\",\"msg\":\"cannot format a log record\"}\n";
    }
  }
}
