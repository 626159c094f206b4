package io.qga.exporter.runtime;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * Applies {@code --log.level} / {@code --log.format} (or the config's {@code log} section) after
 * {@link Signals#configureLogging()}: the root logger's level, and the formatter of every {@link
 * StdoutHandler} on it. A null argument leaves that setting as the logging config made it (so a
 * user's own {@code -Djava.util.logging.config.file} keeps working unless overridden).
 */
public final class Logging {
  /** Each handler's formatter before the first switch: what {@code plain} goes back to. */
  private static final Map<Handler, Formatter> OWN =
      Collections.synchronizedMap(new WeakHashMap<>());

  private Logging() {}

  public static void apply(LogLevel level, LogFormat format) {
    Logger root = Logger.getLogger("");
    if (level != null) {
      root.setLevel(level.jul());
    }
    if (format != null) {
      for (Handler h : root.getHandlers()) {
        if (h instanceof StdoutHandler) {
          Formatter own = OWN.computeIfAbsent(h, Handler::getFormatter);
          Formatter chosen = format.formatter();
          h.setFormatter(chosen == null ? own : chosen);
        }
      }
    }
  }
}
