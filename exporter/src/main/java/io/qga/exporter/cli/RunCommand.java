package io.qga.exporter.cli;

import io.qga.exporter.Daemon;
import io.qga.exporter.config.Config;
import io.qga.exporter.config.ConfigException;
import io.qga.exporter.config.ConfigLoader;
import io.qga.exporter.config.ConfigProblem;
import io.qga.exporter.runtime.Signals;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code run --config FILE}: the daemon. Logs one line per event to stdout; SIGHUP reloads the
 * config; SIGTERM or SIGINT stop it cleanly (listener, extensions, Quartz, channels) and exit 0.
 */
@Command(
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    name = "run",
    description = "Run the exporter: discover domains, poll their agents, serve /metrics.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:stopped by SIGTERM or SIGINT after a clean stop",
      "1:could not start (e.g. the listen address is taken)",
      "2:the config is invalid or unreadable, or bad usage"
    })
final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LogOptions log = new LogOptions();

  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "the config file (YAML); reloaded on SIGHUP and POST /-/reload")
  Path config;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    Signals.configureLogging();
    Config loaded;
    try {
      loaded = ConfigLoader.load(config);
    } catch (ConfigException e) {
      for (ConfigProblem p : e.problems()) {
        err.println(config + ": " + p);
      }
      err.flush();
      return 2;
    }
    log.apply(loaded.log());
    // a reload applies the new log section; flags given on the command line still win
    List<Consumer<Config>> reloadHooks = List.of(next -> log.apply(next.log()));
    Daemon daemon;
    try {
      daemon = Daemon.start(config, loaded, reloadHooks);
    } catch (IOException | RuntimeException e) {
      err.println("qga-exporter: cannot start: " + StartupError.describe(e, loaded));
      err.flush();
      return 1;
    }
    Signals signals = Signals.install(daemon::reload);
    // Any other way out (System.exit elsewhere, a second signal) still stops cleanly.
    Thread hook = new Thread(daemon::close, "shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    signals.awaitStop();
    daemon.close();
    return 0;
  }
}
