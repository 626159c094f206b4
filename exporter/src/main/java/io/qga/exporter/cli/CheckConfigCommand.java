package io.qga.exporter.cli;

import io.qga.exporter.config.Config;
import io.qga.exporter.config.ConfigException;
import io.qga.exporter.config.ConfigLoader;
import io.qga.exporter.config.ConfigProblem;
import io.qga.exporter.config.ConfigWarnings;
import io.qga.exporter.config.Policy;
import io.qga.exporter.config.Schedule;
import io.qga.exporter.discovery.DiscoveryCheck;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code check-config --config FILE}: prints {@code FILE: OK (summary)} and each scheduled policy's
 * next three runs, and exits 0 (with {@code FILE: warning: ...} on stderr for each discovery source
 * the current user cannot read, e.g. libvirt's run dir as non-root when no read-only libvirt
 * connection opens either), or one line {@code FILE: /yaml/path: message} per problem on stderr and
 * exits 2 (also for a missing or unreadable file). A valid config with risky settings ({@link
 * ConfigWarnings}) still exits 0, with one line {@code FILE: WARNING /yaml/path: message} per
 * warning on stderr.
 */
@Command(
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
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

  /** The time next runs are counted from; tests set a fixed one. */
  Clock clock = Clock.systemUTC();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      Config c = ConfigLoader.load(config);
      out.println(config + ": OK (" + c.summary() + ")");
      printNextRuns(out, c, clock.instant());
      out.flush();
      // valid but risky: said, never a failure
      for (ConfigProblem w : ConfigWarnings.of(c)) {
        err.println(config + ": WARNING " + w);
      }
      // Valid, but what this user could not read would leave domains out: say so, still exit 0.
      for (String problem : DiscoveryCheck.problems(c.discovery())) {
        err.println(config + ": warning: " + problem);
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

  /**
   * Per scheduled policy: how its schedule was read and its next {@link #NEXT_RUNS} runs, each in
   * UTC and in the policy's zone (its own timezone, else policy_defaults.timezone).
   */
  static void printNextRuns(PrintWriter out, Config c, Instant now) {
    for (Policy p : c.policies()) {
      if (p.schedule().isEmpty()) {
        continue;
      }
      Schedule s = Schedule.parse(p.schedule().get());
      ZoneId zone = p.zone(c.policyDefaults());
      out.println(
          "policy "
              + p.name()
              + ": schedule \""
              + s
              + "\" ("
              + s.describe()
              + ") in zone "
              + zone.getId()
              + (p.timezone().isPresent() ? " (its timezone)" : " (policy_defaults.timezone)")
              + "; next runs (UTC = "
              + zone.getId()
              + "):");
      List<Instant> next = s.next(zone, now, NEXT_RUNS);
      if (next.isEmpty()) {
        out.println("  never");
      }
      for (Instant t : next) {
        out.println("  " + UTC.format(t) + " = " + LOCAL.format(t.atZone(zone)));
      }
    }
  }

  static final int NEXT_RUNS = 3;
  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter LOCAL =
      DateTimeFormatter.ofPattern("yyyy-MM-dd EEE HH:mm xxx", Locale.ROOT);
}
