package io.qga.exporter.cli;

import io.qga.exporter.Daemon;
import io.qga.exporter.config.Config;
import io.qga.exporter.config.ConfigException;
import io.qga.exporter.config.ConfigLoader;
import io.qga.exporter.runtime.Signals;
import io.qga.sim.SimulatedFleet;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code demo [--domains N] [--port P]}: N simulated guest agents on unix sockets in a temp dir and
 * the daemon discovering them by a glob, polling every 5 s, on 127.0.0.1:P. The config it runs is
 * written to the temp dir (so SIGHUP and POST /-/reload work on it too); everything there is
 * removed on exit. SIGTERM or SIGINT: clean stop, exit 0.
 */
@Command(
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    name = "demo",
    description = "Run simulated guest agents and the exporter polling them (no VM needed).",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:stopped by SIGTERM or SIGINT after a clean stop",
      "1:could not start (e.g. the port is taken)",
      "2:bad usage"
    })
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LogOptions log = new LogOptions();

  @Option(
      names = "--domains",
      defaultValue = "5",
      paramLabel = "N",
      description = "how many simulated guests (default ${DEFAULT-VALUE})")
  int domains;

  @Option(
      names = "--port",
      defaultValue = "9920",
      paramLabel = "P",
      description = "HTTP port on 127.0.0.1 (default ${DEFAULT-VALUE}; 0 picks a free one)")
  int port;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (domains < 1 || domains > 10_000) {
      err.println("demo: --domains must be 1..10000, got " + domains);
      err.flush();
      return 2;
    }
    if (port < 0 || port > 65535) {
      err.println("demo: --port must be 0..65535, got " + port);
      err.flush();
      return 2;
    }
    Signals.configureLogging();
    log.apply(io.qga.exporter.config.LogConfig.DEFAULT);
    Path dir = null;
    SimulatedFleet fleet = null;
    Daemon daemon = null;
    try {
      dir = Files.createTempDirectory("qga-demo-");
      fleet = SimulatedFleet.builder(dir.resolve("agents")).domains(domains).start();
      Path configFile = dir.resolve("config.yaml");
      Files.writeString(configFile, config(dir, port), StandardCharsets.UTF_8);
      Config config = ConfigLoader.load(configFile);
      daemon = Daemon.start(configFile, config);
      Signals signals = Signals.install(daemon::reload);
      Cleanup cleanup = new Cleanup(daemon, fleet, dir);
      Runtime.getRuntime().addShutdownHook(new Thread(cleanup::run, "demo cleanup"));
      out.println(
          "demo: "
              + domains
              + " simulated guest agents in "
              + fleet.dir()
              + "; metrics at http://localhost:"
              + daemon.port()
              + "/metrics, overview at http://localhost:"
              + daemon.port()
              + "/ (Ctrl-C stops)");
      out.flush();
      signals.awaitStop();
      cleanup.run();
      return 0;
    } catch (IOException | ConfigException | RuntimeException e) {
      err.println("demo: cannot start: " + e.getMessage());
      err.flush();
      new Cleanup(daemon, fleet, dir).run();
      return 1;
    }
  }

  /** The demo's config: the glob over the fleet's sockets and short intervals. */
  static String config(Path dir, int port) {
    StringBuilder yaml = new StringBuilder();
    yaml.append("server:\n  listen: \"127.0.0.1:").append(port).append("\"\n");
    yaml.append("discovery:\n  refresh_interval: 5s\n  globs:\n");
    yaml.append("    - pattern: ").append(quote(dir.resolve("agents") + "/*.sock")).append('\n');
    yaml.append("collectors:\n");
    for (String c : io.qga.exporter.config.CollectorsConfig.NAMES) {
      yaml.append("  ").append(c).append(": {interval: 5s}\n");
    }
    yaml.append("state_dir: ").append(quote(dir.resolve("state").toString())).append('\n');
    return yaml.toString();
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** Stops the daemon, then the agents, then removes the temp dir; safe to run twice. */
  private static final class Cleanup {
    private final Daemon daemon;
    private final SimulatedFleet fleet;
    private final Path dir;
    private boolean done;

    Cleanup(Daemon daemon, SimulatedFleet fleet, Path dir) {
      this.daemon = daemon;
      this.fleet = fleet;
      this.dir = dir;
    }

    synchronized void run() {
      if (done) {
        return;
      }
      done = true;
      if (daemon != null) {
        daemon.close();
      }
      if (fleet != null) {
        fleet.close();
      }
      if (dir != null) {
        deleteTree(dir);
      }
    }
  }

  static void deleteTree(Path dir) {
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      System.err.println("demo: could not remove " + dir + ": " + e.getMessage());
    }
  }
}
