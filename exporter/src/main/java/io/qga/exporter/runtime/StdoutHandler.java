package io.qga.exporter.runtime;

import java.io.OutputStream;
import java.util.logging.StreamHandler;

/**
 * java.util.logging to stdout (the default ConsoleHandler writes to stderr), flushed per record, so
 * journald and {@code docker logs} see one line per event as it happens. The {@link
 * LogLineFormatter} keeps it one line: guest text and socket names in a message cannot break it or
 * reach the terminal as control characters.
 */
public final class StdoutHandler extends StreamHandler {
  public StdoutHandler() {
    this(System.out);
  }

  /** The same handler writing to {@code out} (tests read what the daemon logs). */
  public StdoutHandler(OutputStream out) {
    super(out, new LogLineFormatter());
  }

  @Override
  public synchronized void publish(java.util.logging.LogRecord record) {
    super.publish(record);
    flush();
  }

  @Override
  public synchronized void close() {
    flush(); // never close System.out
  }
}
