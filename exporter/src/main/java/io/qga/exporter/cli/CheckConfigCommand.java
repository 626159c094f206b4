package io.qga.exporter.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder: implemented by the issue that owns the `check-config` subcommand. */
@Command(name = "check-config", description = "not implemented yet")
final class CheckConfigCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("check-config: not implemented yet");
    return 2;
  }
}
