package io.qga.exporter.cli;

import io.qga.exporter.config.Config;
import io.qga.exporter.config.ConfigException;
import io.qga.exporter.config.ConfigLoader;
import io.qga.exporter.config.ConfigProblem;
import io.qga.exporter.config.ConfigWarnings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code check-config --config FILE}: prints {@code FILE: OK (summary)} and exits 0, or one line
 * {@code FILE: /yaml/path: message} per problem on stderr and exits 2 (also for a missing or
 * unreadable file). A valid config with risky settings ({@link ConfigWarnings}) still exits 0,
 * with one line {@code FILE: WARNING /yaml/path: message} per warning on stderr.
 */
@Command(
    name = "check-config",
    description = "Validate a config file; print each problem with its YAML path.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:the config is valid", "2:the config is invalid or unreadable, or bad usage"})
final class CheckConfigCommand implements Callable<Integer> {
  static final int EXIT_INVALID = 2;

  @Spec CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "the config file (YAML)")
  Path config;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      Config c = ConfigLoader.load(config);
      out.println(config + ": OK (" + c.summary() + ")");
      out.flush();
      // valid but risky: said, never a failure
      for (ConfigProblem w : ConfigWarnings.of(c)) {
        err.println(config + ": WARNING " + w);
      }
      err.flush();
      return 0;
    } catch (ConfigException e) {
      for (ConfigProblem p : e.problems()) {
        err.println(config + ": " + p);
      }
      err.flush();
      return EXIT_INVALID;
    }
  }
}
