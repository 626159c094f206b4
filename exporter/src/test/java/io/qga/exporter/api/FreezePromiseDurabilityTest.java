package io.qga.exporter.api;

import static io.qga.exporter.api.ApiTestServer.OPERATOR;
import static io.qga.exporter.api.ApiTestServer.await;
import static io.qga.exporter.api.ApiTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.qga.client.AgentAddress;
import io.qga.client.protocol.AgentSession;
import io.qga.exporter.action.ActionExecutor;
import io.qga.exporter.action.ActionRecord;
import io.qga.exporter.action.ActionRequest;
import io.qga.exporter.action.Freeze;
import io.qga.exporter.action.FreezeGuard;
import io.qga.exporter.action.Origin;
import io.qga.exporter.action.Outcome;
import io.qga.exporter.action.RealMounts;
import io.qga.exporter.action.TestDomains;
import io.qga.sim.SimulatedAgent;
import io.qga.sim.SimulatedGuest;
import java.net.http.HttpResponse;
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
 * A freeze is sent only after its thaw promise is durable in {@code state_dir/fsfreeze.json}; a
 * full or read-only {@code state_dir} (real tmpfs, real read-only bind mount) refuses it, and the
 * agent never sees {@code guest-fsfreeze-freeze}.
 */
class FreezePromiseDurabilityTest {
  @TempDir Path tmp;

  @Test
  void aFullStateDirRefusesTheFreezeWithTheReasonAndSendsNothing() throws Exception {
    RealMounts.requireRoot("a full state_dir (64k tmpfs)");
    try (RealMounts mounts = new RealMounts()) {
      Path stateDir = mounts.tmpfs(tmp.resolve("state"), "64k");
      try (ApiTestServer server = new ApiTestServer(stateDir)) {
        SimulatedGuest guest = server.addGuest("db-1");
        server.start();
        Path filler = RealMounts.fill(stateDir);

        HttpResponse<String> r =
            server.post(
                "/api/v1/domains/db-1/fsfreeze?wait=10s", OPERATOR, "{\"deadline\": \"5m\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(json(r).path("error").asText())
            .startsWith(
                "cannot record the thaw promise in " + stateDir.resolve(FreezeGuard.FILE) + ": ")
            .contains("No space left on device");
        assertThat(guest.commandCount("guest-fsfreeze-freeze")).isZero();
        assertThat(guest.frozen()).isFalse();
        assertThat(server.api.guardForTests().promised("db-1")).isEmpty();
        assertThat(Files.list(stateDir).map(p -> p.getFileName().toString()))
            .as("no temp file left holding the space")
            .doesNotContain(FreezeGuard.FILE + ".tmp");

        // room again: the same request freezes, with its promise on disk first
        Files.delete(filler);
        r =
            server.post(
                "/api/v1/domains/db-1/fsfreeze?wait=10s", OPERATOR, "{\"deadline\": \"5m\"}");
        assertThat(json(r).path("state").asText()).as(r.body()).isEqualTo("succeeded");
        assertThat(guest.frozen()).isTrue();
        assertThat(Files.readString(stateDir.resolve(FreezeGuard.FILE))).contains("db-1");
        server.stopExporter(); // thaws before the tmpfs goes
        assertThat(guest.frozen()).isFalse();
      }
    }
  }

  @Test
  void aFreezeJobWhosePromiseCannotBeWrittenFailsAndSendsNothing() throws Exception {
    RealMounts.requireRoot("a full state_dir (64k tmpfs)");
    try (RealMounts mounts = new RealMounts()) {
      Path promiseDir = mounts.tmpfs(tmp.resolve("state"), "64k");
      // the audit log elsewhere: this is about the promise alone, past the API's early check
      try (Rig rig = new Rig(tmp.resolve("audit"), promiseDir)) {
        Path filler = RealMounts.fill(promiseDir);
        ActionRecord r = rig.freeze(Duration.ofMinutes(5));
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.error())
            .startsWith("cannot record the thaw promise in " + promiseDir.resolve(FreezeGuard.FILE))
            .contains("No space left on device")
            .endsWith("nothing was frozen");
        assertThat(rig.guest.commandCount("guest-fsfreeze-freeze")).isZero();
        assertThat(rig.guest.frozen()).isFalse();
        assertThat(rig.guard.promised("db-1")).isEmpty();

        // an earlier promise stands when a longer one cannot be recorded
        Files.delete(filler);
        assertThat(rig.freeze(Duration.ofMinutes(2)).outcome()).isEqualTo(Outcome.SUCCEEDED);
        Instant until = rig.guard.promised("db-1").orElseThrow().until();
        filler = RealMounts.fill(promiseDir);
        assertThatThrownBy(() -> rig.guard.promise("db-1", until.plusSeconds(3600), "ops"))
            .isInstanceOf(FreezeGuard.PromiseException.class);
        assertThat(rig.guard.promised("db-1").orElseThrow().until()).isEqualTo(until);
        assertThat(Files.readString(promiseDir.resolve(FreezeGuard.FILE)))
            .contains(until.toString());
        Files.delete(filler);
      }
    }
  }

  @Test
  void aReadOnlyStateDirRefusesTheFreeze() throws Exception {
    RealMounts.requireRoot("a read-only state_dir (bind mount)");
    Path promiseDir = Files.createDirectories(tmp.resolve("state"));
    try (RealMounts mounts = new RealMounts();
        Rig rig = new Rig(tmp.resolve("audit"), promiseDir)) {
      mounts.readOnly(promiseDir);
      assertThatThrownBy(() -> rig.guard.checkWritable())
          .hasMessageContaining("Read-only file system");
      ActionRecord r = rig.freeze(Duration.ofMinutes(5));
      assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
      assertThat(r.error())
          .startsWith("cannot record the thaw promise in " + promiseDir.resolve(FreezeGuard.FILE))
          .contains("Read-only file system");
      assertThat(rig.guest.commandCount("guest-fsfreeze-freeze")).isZero();
      assertThat(rig.guest.frozen()).isFalse();
    }
  }

  @Test
  void aPromiseThatCannotBeRemovedAfterTheThawIsRemovedOnceThereIsRoom() throws Exception {
    RealMounts.requireRoot("a full state_dir (64k tmpfs)");
    try (RealMounts mounts = new RealMounts()) {
      Path stateDir = mounts.tmpfs(tmp.resolve("state"), "64k");
      try (ApiTestServer server = new ApiTestServer(stateDir)) {
        SimulatedGuest guest = server.addGuest("db-1");
        server.start();
        server.api.guardForTests().retryEvery(Duration.ofMillis(200));
        HttpResponse<String> r =
            server.post(
                "/api/v1/domains/db-1/fsfreeze?wait=10s", OPERATOR, "{\"deadline\": \"5m\"}");
        assertThat(json(r).path("state").asText()).as(r.body()).isEqualTo("succeeded");
        Path filler = RealMounts.fill(stateDir, server.executor.audit());

        // a full disk never keeps a guest frozen: the thaw runs, and says its audit failed
        r = server.post("/api/v1/domains/db-1/fsthaw?wait=10s", OPERATOR, "{}");
        JsonNode job = json(r);
        assertThat(guest.frozen()).isFalse();
        assertThat(job.path("outcome").asText()).as(r.body()).isEqualTo("succeeded");
        assertThat(job.path("state").asText()).isEqualTo("failed");
        assertThat(job.path("audit_error").asText()).contains("No space left on device");
        assertThat(job.path("error").asText())
            .startsWith("audit failed: cannot write the audit log");
        assertThat(server.api.guardForTests().promised("db-1")).isEmpty();
        // the file cannot forget it yet: a restart now would check the guest, find it thawed
        assertThat(Files.readString(stateDir.resolve(FreezeGuard.FILE))).contains("db-1");

        // several retries (every 200 ms) fail while the disk stays full
        Thread.sleep(1000);
        assertThat(Files.readString(stateDir.resolve(FreezeGuard.FILE))).contains("db-1");
        Files.delete(filler);
        await(
            () -> !read(stateDir.resolve(FreezeGuard.FILE)).contains("db-1"),
            Duration.ofSeconds(10),
            "the promise removed from the file once there is room");
        assertThat(read(stateDir.resolve(FreezeGuard.FILE))).contains("\"frozen\"");
        server.stopExporter();
      }
    }
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A real executor (audit log in {@code auditDir}) and a guard keeping promises elsewhere. */
  private static final class Rig implements AutoCloseable {
    final Path sockets;
    final SimulatedGuest guest = SimulatedGuest.builder("db-1").build();
    final SimulatedAgent agent;
    final AgentSession session;
    final ActionExecutor executor;
    final FreezeGuard guard;

    Rig(Path auditDir, Path promiseDir) throws Exception {
      sockets = Files.createTempDirectory(Path.of("/tmp"), "qga-freeze-");
      agent = SimulatedAgent.start(sockets.resolve("db-1.sock"), guest);
      session = new AgentSession(AgentAddress.unix(agent.socket()));
      TestDomains domains = new TestDomains();
      domains.add("db-1", session);
      executor = ActionExecutor.open(auditDir, domains, Clock.systemUTC(), Map.of());
      guard = new FreezeGuard(promiseDir, executor, Clock.systemUTC());
    }

    ActionRecord freeze(Duration deadline) throws Exception {
      Instant until = Instant.now().plus(deadline);
      return executor
          .submit(
              ActionRequest.of(
                  "db-1", new Freeze(deadline, until, "ops", guard), Origin.api("ops")))
          .result()
          .get(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
      guard.thawAllNow(Duration.ofSeconds(5));
      guard.close();
      executor.close();
      session.close();
      agent.close();
      Files.deleteIfExists(sockets.resolve("db-1.sock"));
      Files.deleteIfExists(sockets);
    }
  }
}
