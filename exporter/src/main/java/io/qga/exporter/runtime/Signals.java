package io.qga.exporter.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * Process plumbing for {@code run} and {@code demo}: one-line logging to stdout, SIGTERM and SIGINT
 * as "stop cleanly and exit 0" (the JVM's default exits 143 after shutdown hooks), and SIGHUP as
 * "reload". Uses {@code sun.misc.Signal} (jdk.unsupported, present in every JDK 17+); where a
 * signal cannot be handled (e.g. Windows has no HUP) it is skipped with a log line.
 */
public final class Signals {
  private static final Logger LOG = Logger.getLogger(Signals.class.getName());
  private final CountDownLatch stop = new CountDownLatch(1);

  private Signals() {}

  /** Loads the shipped logging.properties unless the user pointed JUL at their own file. */
  public static void configureLogging() {
    if (System.getProperty("java.util.logging.config.file") != null
        || System.getProperty("java.util.logging.config.class") != null) {
      return;
    }
    try (InputStream in =
        Signals.class.getResourceAsStream("/io/qga/exporter/logging.properties")) {
      if (in != null) {
        LogManager.getLogManager().readConfiguration(in);
      }
    } catch (IOException e) {
      System.err.println("cannot load the logging config: " + e.getMessage());
    }
  }

  /**
   * Installs the handlers: TERM and INT release {@link #awaitStop()}, HUP runs {@code reload} on
   * its own thread (a slow reload never blocks signal delivery).
   */
  public static Signals install(Runnable reload) {
    Signals s = new Signals();
    handle("TERM", sig -> s.stop.countDown());
    handle("INT", sig -> s.stop.countDown());
    if (reload != null) {
      handle(
          "HUP",
          sig -> {
            Thread t = new Thread(reload, "reload");
            t.setDaemon(true);
            t.start();
          });
    }
    return s;
  }

  /** Blocks until SIGTERM or SIGINT (or {@link #stop()}). */
  public void awaitStop() throws InterruptedException {
    stop.await();
  }

  /** Releases {@link #awaitStop()} as a signal would. */
  public void stop() {
    stop.countDown();
  }

  private static void handle(String name, sun.misc.SignalHandler handler) {
    try {
      Signal.handle(new Signal(name), handler);
    } catch (IllegalArgumentException e) {
      LOG.info(() -> "signal " + name + " cannot be handled here: " + e.getMessage());
    }
  }
}
