package io.qga.exporter.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder: implemented by the issue that owns the `agent` subcommand. */
@Command(name = "agent", description = "not implemented yet")
final class AgentCli implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("agent: not implemented yet");
    return 2;
  }
}
