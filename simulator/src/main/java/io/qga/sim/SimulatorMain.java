package io.qga.sim;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link SimulatedFleet} as its own process until SIGTERM, so a benchmark measures the
 * exporter alone:
 *
 * <pre>
 * java -cp qga-exporter.jar io.qga.sim.SimulatorMain --dir D --domains N
 *     [--hang-percent P] [--slow-percent P --slow-delay 2s] [--hostile MODE:COUNT ...]
 *     [--flavour linux-9.2 ...] [--prefix vm-] [--seed S]
 * </pre>
 *
 * The shaded exporter jar holds this class and its dependencies: {@code java -cp
 * exporter/target/qga-exporter.jar io.qga.sim.SimulatorMain ...}. Prints one line {@code ready DIR
 * N} when every socket accepts connections; on SIGTERM removes every socket and exits (143, the
 * JVM's SIGTERM status). Exit code 2 for a bad command line, 1 when the fleet cannot start.
 */
public final class SimulatorMain {
  private SimulatorMain() {}

  public static void main(String[] args) throws InterruptedException {
    SimulatedFleet.Builder builder;
    try {
      builder = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("qga-simulator: " + e.getMessage());
      System.err.println(usage());
      System.exit(2);
      return;
    }
    if (builder == null) {
      System.out.println(usage());
      return;
    }
    SimulatedFleet fleet;
    try {
      fleet = builder.start();
    } catch (Exception e) {
      System.err.println("qga-simulator: cannot start the fleet: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  fleet.close();
                  stopped.countDown();
                },
                "qga-simulator shutdown"));
    System.out.println("ready " + fleet.dir().toAbsolutePath() + " " + fleet.size());
    System.out.flush();
    stopped.await();
  }

  static String usage() {
    return "usage: SimulatorMain --dir DIR --domains N [--hang-percent P] [--slow-percent P]"
        + " [--slow-delay 2s] [--hostile MODE:COUNT ...] [--flavour F ...] [--prefix vm-]"
        + " [--seed S]";
  }

  /** The fleet the arguments describe; null for --help. */
  static SimulatedFleet.Builder parse(String[] args) {
    Path dir = null;
    Integer domains = null;
    List<Runnable> settings = new ArrayList<>();
    List<Flavour> flavours = new ArrayList<>();
    SimulatedFleet.Builder[] holder = new SimulatedFleet.Builder[1];
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (option.equals("--help") || option.equals("-h")) {
        return null;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      String value = args[++i];
      switch (option) {
        case "--dir" -> dir = Path.of(value);
        case "--domains" -> domains = integer(option, value);
        case "--hang-percent" -> {
          int p = integer(option, value);
          settings.add(() -> holder[0].hangPercent(p));
        }
        case "--slow-percent" -> {
          int p = integer(option, value);
          settings.add(() -> holder[0].slowPercent(p));
        }
        case "--slow-delay" -> {
          Duration d = duration(option, value);
          settings.add(() -> holder[0].slowDelay(d));
        }
        case "--hostile" -> {
          int colon = value.lastIndexOf(':');
          HostileMode mode = HostileMode.parse(colon < 0 ? value : value.substring(0, colon));
          int count = colon < 0 ? 1 : integer(option, value.substring(colon + 1));
          settings.add(() -> holder[0].hostile(mode, count));
        }
        case "--flavour" -> flavours.add(Flavour.parse(value));
        case "--prefix" -> settings.add(() -> holder[0].prefix(value));
        case "--seed" -> {
          long seed = longValue(option, value);
          settings.add(() -> holder[0].seed(seed));
        }
        default -> throw new IllegalArgumentException("unknown option " + option);
      }
    }
    if (dir == null) {
      throw new IllegalArgumentException("--dir is required");
    }
    holder[0] = SimulatedFleet.builder(dir).domains(domains == null ? 10 : domains);
    settings.forEach(Runnable::run);
    if (!flavours.isEmpty()) {
      holder[0].flavours(flavours.toArray(Flavour[]::new));
    }
    return holder[0];
  }

  private static int integer(String option, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": \"" + value + "\" is not a whole number");
    }
  }

  private static long longValue(String option, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": \"" + value + "\" is not a whole number");
    }
  }

  /** 500ms, 2s, 1m, 1h, as the exporter's config spells durations. */
  static Duration duration(String option, String value) {
    String v = value.toLowerCase(Locale.ROOT);
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      } else if (v.endsWith("s")) {
        return Duration.ofMillis(
            Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
      } else if (v.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      } else if (v.endsWith("h")) {
        return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        option + ": \"" + value + "\" is not a duration (use 500ms, 2s, 1m, 1h)");
  }
}
