package io.qga.bench;

import io.qga.sim.HostileMode;
import io.qga.sim.SimulatedAgent;
import io.qga.sim.SimulatedFleet;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's simulated agents in a process of their own (so the exporter's cost is measured
 * alone): {@code FleetHost DIR DOMAINS HANG_PERCENT SLOW_PERCENT}. Writes {@code DIR/roles.txt}
 * (one {@code domain role} line each: healthy, never-answers, answer-after), prints {@code ready}
 * once every socket accepts, then answers on stdin: {@code count} prints {@code count N}, the
 * requests received by every agent so far (data commands, sync and info alike, without the 0xFF
 * bytes), and {@code mix} prints {@code mix NAME=N ...}, the same per command name (so the
 * benchmark can show that the exporter and the floors send the same commands). EOF on stdin stops
 * it.
 *
 * <p>Unlike {@code io.qga.sim.SimulatorMain} it can say how many commands were served, which is how
 * the benchmark counts commands per second for the exporter and the floor client alike.
 */
public final class FleetHost {
  private FleetHost() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: FleetHost DIR DOMAINS HANG_PERCENT SLOW_PERCENT");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    SimulatedFleet fleet =
        SimulatedFleet.builder(dir.resolve("agents"))
            .domains(Integer.parseInt(args[1]))
            .hangPercent(Integer.parseInt(args[2]))
            .slowPercent(Integer.parseInt(args[3]))
            .start();
    try {
      List<String> roles = new ArrayList<>();
      for (Map.Entry<String, SimulatedAgent> e : fleet.agents().entrySet()) {
        HostileMode mode = e.getValue().guest().hostile();
        roles.add(e.getKey() + " " + (mode == null ? "healthy" : mode.cliName()));
      }
      Files.write(dir.resolve("roles.txt"), roles, StandardCharsets.UTF_8);
      System.out.println("ready");
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.trim().equals("count")) {
          System.out.println("count " + received(fleet));
          System.out.flush();
        } else if (line.trim().equals("mix")) {
          StringBuilder out = new StringBuilder("mix");
          mix(fleet).forEach((name, n) -> out.append(' ').append(name).append('=').append(n));
          System.out.println(out);
          System.out.flush();
        }
      }
    } finally {
      fleet.close();
    }
  }

  private static Map<String, Long> mix(SimulatedFleet fleet) {
    Map<String, Long> all = new java.util.TreeMap<>();
    for (SimulatedAgent agent : fleet.agents().values()) {
      agent.guest().commandCounts().forEach((name, n) -> all.merge(name, n, Long::sum));
    }
    all.remove("<0xff>");
    return all;
  }

  private static long received(SimulatedFleet fleet) {
    long n = 0;
    for (SimulatedAgent agent : fleet.agents().values()) {
      for (Map.Entry<String, Long> e : agent.guest().commandCounts().entrySet()) {
        if (!e.getKey().equals("<0xff>")) {
          n += e.getValue();
        }
      }
    }
    return n;
  }
}
