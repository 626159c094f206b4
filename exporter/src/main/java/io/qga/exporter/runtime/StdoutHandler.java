package io.qga.exporter.runtime;

import java.util.logging.Formatter;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;

/**
 * java.util.logging to stdout (the default ConsoleHandler writes to stderr), flushed per
 * record, so journald and {@code docker logs} see one line per event as it happens.
 */
public final class StdoutHandler extends StreamHandler {
  public StdoutHandler() {
    super(System.out, formatter());
  }

  private static Formatter formatter() {
    return new SimpleFormatter();
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
