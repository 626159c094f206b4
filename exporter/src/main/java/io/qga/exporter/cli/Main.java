package io.qga.exporter.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar qga-exporter.jar SUBCOMMAND}: see CONTRACT.md for subcommands and exit codes.
 */
@Command(
    name = "qga-exporter",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Prometheus exporter and control API for QEMU guest agents.",
    subcommands = {
      RunCommand.class,
      CheckConfigCommand.class,
      AgentCli.class,
      DemoCommand.class,
    })
public final class Main implements Runnable {

  /** Usage errors (unknown option, missing argument) exit 2, as CONTRACT.md fixes. */
  public static final int EXIT_USAGE = 2;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns its exit code (tests call this instead of main). */
  public static int execute(String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setExitCodeExceptionMapper(e -> EXIT_USAGE);
    cl.getCommandSpec().exitCodeOnInvalidInput(EXIT_USAGE);
    return cl.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.err);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"qga-exporter " + version()};
    }
  }

  /** The jar's Implementation-Version, or "dev" when run from classes. */
  public static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
