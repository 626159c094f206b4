package io.qga.exporter.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder: implemented by the issue that owns the `demo` subcommand. */
@Command(name = "demo", description = "not implemented yet")
final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("demo: not implemented yet");
    return 2;
  }
}
