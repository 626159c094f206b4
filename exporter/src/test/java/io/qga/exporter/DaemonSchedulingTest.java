package io.qga.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.exporter.config.ConfigLoader;
import io.qga.sim.Flavour;
import io.qga.sim.SimulatedAgent;
import io.qga.sim.SimulatedGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One scheduler for the whole daemon: discovery, polls, policies and deadlines share it. */
class DaemonSchedulingTest {
  @TempDir Path dir;
  private final List<SimulatedAgent> agents = new ArrayList<>();
  private Daemon daemon;

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
    agents.forEach(SimulatedAgent::close);
  }

  private void agent(String domain) throws Exception {
    Files.createDirectories(dir.resolve("agents"));
    agents.add(
        SimulatedAgent.start(
            dir.resolve("agents").resolve(domain + ".sock"),
            SimulatedGuest.builder(domain).flavour(Flavour.LINUX_9_2).build()));
  }

  private Path config(String refresh) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(
        file,
        "server:\n  listen: \"127.0.0.1:0\"\n"
            + "discovery:\n  refresh_interval: "
            + refresh
            + "\n  globs:\n    - pattern: \""
            + dir.resolve("agents")
            + "/*.sock\"\n"
            + "agent:\n  command_timeout: 1s\n"
            + "api:\n  tokens:\n    - {name: ops, role: operator, sha256: "
            + "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}\n"
            + "policies:\n  - name: weekly-trim\n    schedule: \"0 3 * * 0\"\n"
            + "    action: {fstrim: {}}\n"
            + "state_dir: \""
            + dir.resolve("state")
            + "\"\n");
    return file;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within 15 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  private static Set<String> quartzSchedulers() {
    Set<String> out = new TreeSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().endsWith("_QuartzSchedulerThread")) {
        out.add(t.getName());
      }
    }
    return out;
  }

  @Test
  void theDaemonWithThePolicyEngineAndTheApiRunsOneQuartzSchedulerAndNoTimerThreadOfItsOwn()
      throws Exception {
    agent("vm-1");
    Set<String> before = quartzSchedulers();
    Path file = config("200ms");
    daemon = Daemon.start(file, ConfigLoader.load(file));
    await("vm-1 found", () -> daemon.domains().find("vm-1").isPresent());
    Set<String> started = quartzSchedulers();
    started.removeAll(before);
    assertThat(started).singleElement().satisfies(n -> assertThat(n).startsWith("qga-exporter-"));
    assertThat(Thread.getAllStackTraces().keySet())
        .extracting(Thread::getName)
        .doesNotContain("fsfreeze-deadline");
    daemon.close();
    await("the scheduler stopped", () -> !quartzSchedulers().containsAll(started));
  }

  @Test
  void aReloadThatChangesTheRefreshIntervalReschedulesDiscovery() throws Exception {
    agent("vm-1");
    Path file = config("1h");
    daemon = Daemon.start(file, ConfigLoader.load(file), List.of());
    assertThat(daemon.domains().find("vm-1")).isPresent();
    agent("vm-2");
    Thread.sleep(1500); // no refresh within the hour
    assertThat(daemon.domains().find("vm-2")).isEmpty();

    config("200ms");
    assertThat(daemon.reload()).isTrue(); // a reload refreshes once by itself
    assertThat(daemon.domains().find("vm-2")).isPresent();
    agent("vm-3"); // found by the new, shorter interval's trigger
    await("vm-3 found within a few refreshes", () -> daemon.domains().find("vm-3").isPresent());

    config("1h");
    assertThat(daemon.reload()).isTrue();
    agent("vm-4");
    Thread.sleep(1500);
    assertThat(daemon.domains().find("vm-4")).isEmpty();
  }
}
