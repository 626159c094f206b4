package io.qga.exporter.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder: implemented by the issue that owns the `run` subcommand. */
@Command(name = "run", description = "not implemented yet")
final class RunCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("run: not implemented yet");
    return 2;
  }
}
