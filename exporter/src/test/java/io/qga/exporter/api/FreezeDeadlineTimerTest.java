package io.qga.exporter.api;

import static io.qga.exporter.api.ApiTestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.qga.client.AgentAddress;
import io.qga.client.protocol.AgentSession;
import io.qga.exporter.action.ActionExecutor;
import io.qga.exporter.action.ActionRecord;
import io.qga.exporter.action.ActionRequest;
import io.qga.exporter.action.AuditLog;
import io.qga.exporter.action.Freeze;
import io.qga.exporter.action.FreezeGuard;
import io.qga.exporter.action.Origin;
import io.qga.exporter.action.Outcome;
import io.qga.exporter.action.TestDomains;
import io.qga.exporter.runtime.Timers;
import io.qga.sim.SimulatedAgent;
import io.qga.sim.SimulatedGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thaw deadlines on the daemon's scheduler: a deadline whose time passed while nothing could fire
 * (host suspended, scheduler stalled, the exporter down) thaws as soon as the scheduler runs; a
 * misfired one-shot is never dropped.
 */
class FreezeDeadlineTimerTest {
  @TempDir Path stateDir;

  @Test
  void aDeadlineThatPassedWhileTheSchedulerCouldNotFireThawsAsSoonAsItRuns() throws Exception {
    try (Timers timers = Timers.create("test");
        Rig rig = new Rig(stateDir)) {
      FreezeGuard guard = rig.guard(timers);
      assertThat(rig.freeze(guard, Duration.ofSeconds(1)).outcome()).isEqualTo(Outcome.SUCCEEDED);
      assertThat(rig.guest.frozen()).isTrue();
      // the deadline passes, well beyond the misfire threshold, with nothing firing
      Thread.sleep(Timers.MISFIRE.multipliedBy(2).plusSeconds(1).toMillis());
      assertThat(rig.guest.frozen()).isTrue();
      long resumed = System.nanoTime();
      timers.resume();
      await(() -> !rig.guest.frozen(), Duration.ofSeconds(10), "thawed once the scheduler runs");
      assertThat(Duration.ofNanos(System.nanoTime() - resumed)).isLessThan(Duration.ofSeconds(5));
      await(
          () -> rig.audit().contains("\"trigger\":\"deadline\""),
          Duration.ofSeconds(5),
          "deadline thaw audited");
      await(() -> guard.promised("db-1").isEmpty(), Duration.ofSeconds(5), "promise released");
      guard.close();
    }
  }

  @Test
  void aPromiseLoadedAtStartThawsOnceTheSchedulerRunsEvenAfterItsTimePassed() throws Exception {
    try (Timers timers = Timers.create("test");
        Rig rig = new Rig(stateDir)) {
      FreezeGuard before = rig.guard(null); // a scheduler of its own
      assertThat(rig.freeze(before, Duration.ofMinutes(5)).outcome()).isEqualTo(Outcome.SUCCEEDED);
      before.close(); // a crash: the promise stays in fsfreeze.json, the guest frozen
      assertThat(Files.readString(stateDir.resolve(FreezeGuard.FILE))).contains("db-1");

      FreezeGuard after = rig.guard(timers);
      after.start(); // the restart thaw is due now; the scheduler is not running yet
      Thread.sleep(Timers.MISFIRE.multipliedBy(2).plusMillis(500).toMillis());
      assertThat(rig.guest.frozen()).isTrue();
      timers.resume();
      await(() -> !rig.guest.frozen(), Duration.ofSeconds(10), "thawed at start");
      await(
          () -> rig.audit().contains("\"trigger\":\"restart\""),
          Duration.ofSeconds(5),
          "restart thaw audited");
      after.close();
    }
  }

  /** A simulated agent behind a real session, and a real executor with its audit log. */
  private static final class Rig implements AutoCloseable {
    final Path dir;
    final Path sockets;
    final SimulatedGuest guest = SimulatedGuest.builder("db-1").build();
    final SimulatedAgent agent;
    final AgentSession session;
    final ActionExecutor executor;

    Rig(Path dir) throws Exception {
      this.dir = dir;
      sockets = Files.createTempDirectory(Path.of("/tmp"), "qga-deadline-");
      agent = SimulatedAgent.start(sockets.resolve("db-1.sock"), guest);
      session = new AgentSession(AgentAddress.unix(agent.socket()));
      TestDomains domains = new TestDomains();
      domains.add("db-1", session);
      executor = ActionExecutor.open(dir, domains, Clock.systemUTC(), Map.of());
    }

    FreezeGuard guard(Timers timers) {
      return new FreezeGuard(dir, executor, Clock.systemUTC(), FreezeGuard.RETRY, timers);
    }

    ActionRecord freeze(FreezeGuard guard, Duration deadline) throws Exception {
      Instant until = Instant.now().plus(deadline);
      return executor
          .submit(
              ActionRequest.of(
                  "db-1", new Freeze(deadline, until, "ops", guard), Origin.api("ops")))
          .result()
          .get(20, TimeUnit.SECONDS);
    }

    String audit() {
      try {
        Path p = dir.resolve(AuditLog.FILE);
        return Files.exists(p) ? Files.readString(p) : "";
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws Exception {
      executor.close();
      session.close();
      agent.close();
      Files.deleteIfExists(sockets.resolve("db-1.sock"));
      Files.deleteIfExists(sockets);
    }
  }
}
