package io.qga.client.protocol;

import static io.qga.sim.scripted.ScriptedAgent.closeMidReply;
import static io.qga.sim.scripted.ScriptedAgent.silent;
import static io.qga.sim.scripted.ScriptedAgent.slow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.qga.client.AgentAddress;
import io.qga.client.AgentCommand;
import io.qga.client.AgentConnectionException;
import io.qga.client.AgentErrorException;
import io.qga.client.AgentProtocolException;
import io.qga.client.AgentTimeoutException;
import io.qga.client.AgentUnsupportedException;
import io.qga.sim.AgentServer;
import io.qga.sim.scripted.ScriptedAgent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session against a scripted fake agent on a real unix socket. */
class AgentSessionTest {
  @TempDir Path dir;
  private ScriptedAgent agent;
  private AgentSession session;
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @BeforeEach
  void start() throws Exception {
    agent = ScriptedAgent.start(dir.resolve("agent.sock"));
    session = new AgentSession(AgentAddress.unix(agent.socket()));
  }

  @AfterEach
  void stop() throws Exception {
    threads.shutdownNow();
    threads.awaitTermination(5, TimeUnit.SECONDS);
    session.close();
    agent.close();
  }

  private JsonNode run(String command, Duration deadline) {
    return session.execute(AgentCommand.of(command), deadline);
  }

  /** One poll step of a loop that waits for a condition. */
  private static void pause() throws InterruptedException {
    Thread.sleep(5);
  }

  private static long millisSince(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Test
  void syncsOnceThenRunsCommandsOnOneConnection() {
    agent.expect("guest-get-host-name", "{\"return\": {\"host-name\": \"web-1\"}}");
    agent.expect("guest-fsfreeze-thaw", "{\"return\": 5}");
    assertThat(run("guest-get-host-name", null).get("host-name").asText()).isEqualTo("web-1");
    assertThat(run("guest-fsfreeze-thaw", null).asInt()).isEqualTo(5);
    agent.verify();
    SessionStats stats = session.stats();
    assertThat(stats.connects()).isEqualTo(1);
    assertThat(stats.syncs()).isEqualTo(1);
    assertThat(stats.connected()).isTrue();
    assertThat(agent.connections()).isEqualTo(1);
  }

  @Test
  void errorRepliesKeepTheConnection() {
    agent.expect(
        "guest-fstrim", "{\"error\": {\"class\": \"GenericError\", \"desc\": \"fstrim failed\"}}");
    agent.expect(
        "guest-fsfreeze-freeze",
        "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Command guest-fsfreeze-freeze"
            + " has been disabled\"}}");
    assertThatThrownBy(() -> run("guest-fstrim", null))
        .isExactlyInstanceOf(AgentErrorException.class)
        .satisfies(
            e -> {
              AgentErrorException a = (AgentErrorException) e;
              assertThat(a.errorClass()).isEqualTo("GenericError");
              assertThat(a.description()).isEqualTo("fstrim failed");
              assertThat(a.command()).isEqualTo("guest-fstrim");
            });
    assertThatThrownBy(() -> run("guest-fsfreeze-freeze", null))
        .isInstanceOf(AgentUnsupportedException.class);
    assertThatThrownBy(() -> run("guest-get-load", null))
        .isInstanceOf(AgentUnsupportedException.class)
        .hasMessageContaining("has not been found");
    assertThat(session.stats().syncs()).isEqualTo(1);
    assertThat(session.stats().connects()).isEqualTo(1);
  }

  @Test
  void agentThatNeverAnswersTimesOutWithinTheDeadline() {
    agent.neverAnswer();
    long start = System.nanoTime();
    assertThatThrownBy(() -> run("guest-ping", Duration.ofMillis(400)))
        .isInstanceOf(AgentTimeoutException.class)
        .hasMessageContaining("agent not responding");
    assertThat(millisSince(start)).isBetween(350L, 1400L);
    assertThat(session.stats().timeouts()).isEqualTo(1);
  }

  @Test
  void lateReplyIsDiscardedByTheNextSync() {
    agent.expect(
        "guest-get-time", "{\"return\": 1700000000000000000}", slow(Duration.ofMillis(600)));
    agent.expect("guest-get-host-name", "{\"return\": {\"host-name\": \"web-1\"}}");
    assertThatThrownBy(() -> run("guest-get-time", Duration.ofMillis(200)))
        .isInstanceOf(AgentTimeoutException.class)
        .hasMessageContaining("no reply to guest-get-time");
    JsonNode next = run("guest-get-host-name", Duration.ofSeconds(5));
    assertThat(next.get("host-name").asText()).isEqualTo("web-1");
    assertThat(session.stats().syncs()).isEqualTo(2);
    assertThat(session.stats().staleLinesDiscarded()).isGreaterThanOrEqualTo(1);
    assertThat(session.stats().connects()).isEqualTo(1);
    agent.verify();
  }

  @Test
  void closeMidReplyBreaksTheConnectionAndTheNextCommandReconnects() {
    agent.expect(
        "guest-get-osinfo",
        "{\"return\": {\"id\": \"debian\", \"name\": \"Debian\"}}",
        closeMidReply());
    agent.expect("guest-ping", "{\"return\": {}}");
    assertThatThrownBy(() -> run("guest-get-osinfo", Duration.ofSeconds(3)))
        .isInstanceOf(AgentConnectionException.class)
        .hasMessageContaining("closed");
    assertThat(session.stats().connected()).isFalse();
    assertThat(run("guest-ping", Duration.ofSeconds(3)).isObject()).isTrue();
    assertThat(session.stats().connects()).isEqualTo(2);
    agent.verify();
  }

  @Test
  void staleRepliesQueuedByAnEarlierClientAreDiscarded() {
    agent.staleOnConnect(50);
    agent.staleOnConnect(
        "{\"return\": 12345}", "{\"error\": {\"class\": \"GenericError\", \"desc\": \"x\"}}");
    agent.expect("guest-get-time", "{\"return\": 1700000000000000001}");
    assertThat(run("guest-get-time", Duration.ofSeconds(3)).asLong())
        .isEqualTo(1700000000000000001L);
    assertThat(session.stats().staleLinesDiscarded()).isEqualTo(52);
  }

  @Test
  void everySyncUsesAFreshNonNegativeId() throws Exception {
    List<Long> ids = new CopyOnWriteArrayList<>();
    Path socket = dir.resolve("ids.sock");
    try (AgentServer server =
            AgentServer.start(
                socket,
                (request, c) -> {
                  if (request != null
                      && "guest-sync-delimited".equals(request.path("execute").asText())) {
                    ids.add(request.path("arguments").path("id").asLong());
                    c.sendSync(request.path("arguments").path("id"));
                  } else {
                    c.send("{\"return\": {}}");
                  }
                });
        AgentSession s = new AgentSession(AgentAddress.unix(socket))) {
      for (int i = 0; i < 3; i++) {
        s.execute(AgentCommand.of("guest-ping"), Duration.ofSeconds(3));
        s.close();
      }
      assertThat(ids).hasSize(3).doesNotHaveDuplicates().allMatch(id -> id >= 0);
    }
  }

  @Test
  void connectFailuresBackOffAndFailFastMeanwhile() throws Exception {
    Path missing = dir.resolve("later.sock");
    AgentSession s =
        new AgentSession(
            AgentAddress.unix(missing),
            AgentSession.Options.defaults()
                .withBackoff(Duration.ofMillis(300), Duration.ofSeconds(2)));
    try {
      assertThatThrownBy(() -> s.execute(AgentCommand.of("guest-ping"), Duration.ofSeconds(1)))
          .isInstanceOf(AgentConnectionException.class)
          .hasMessageContaining("cannot connect");
      long start = System.nanoTime();
      assertThatThrownBy(() -> s.execute(AgentCommand.of("guest-ping"), Duration.ofSeconds(1)))
          .isInstanceOf(AgentConnectionException.class)
          .hasMessageContaining("next attempt in");
      assertThat(millisSince(start)).isLessThan(100);
      assertThat(s.stats().backoff()).isEqualTo(Duration.ofMillis(300));
      try (ScriptedAgent later = ScriptedAgent.start(missing)) {
        later.answer("guest-get-host-name", "{\"return\": {\"host-name\": \"b\"}}");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        JsonNode reply = null;
        while (reply == null && System.nanoTime() < deadline) {
          try {
            reply = s.execute(AgentCommand.of("guest-get-host-name"), Duration.ofSeconds(1));
          } catch (AgentConnectionException e) {
            pause();
          }
        }
        assertThat(reply).isNotNull();
        assertThat(s.stats().backoff()).isEqualTo(Duration.ZERO);
      }
    } finally {
      s.close();
    }
  }

  @Test
  void backoffGrowsAndIsBounded() throws Exception {
    AgentSession s =
        new AgentSession(
            AgentAddress.unix(dir.resolve("never.sock")),
            AgentSession.Options.defaults()
                .withBackoff(Duration.ofMillis(10), Duration.ofMillis(40)));
    List<Duration> seen = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (seen.size() < 4 && System.nanoTime() < deadline) {
      try {
        s.execute(AgentCommand.of("guest-ping"), Duration.ofSeconds(1));
      } catch (AgentConnectionException e) {
        if (e.getMessage().startsWith("cannot connect")) {
          seen.add(s.stats().backoff());
        }
      }
    }
    assertThat(seen)
        .containsExactly(
            Duration.ofMillis(10),
            Duration.ofMillis(20),
            Duration.ofMillis(40),
            Duration.ofMillis(40));
  }

  @Test
  void callerWaitingForABusyChannelTimesOutAtItsOwnDeadline() throws Exception {
    agent.expect("guest-fstrim", "{\"return\": {\"paths\": []}}", slow(Duration.ofMillis(1500)));
    Future<JsonNode> slowOne = threads.submit(() -> run("guest-fstrim", Duration.ofSeconds(10)));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (agent.commands().isEmpty() && System.nanoTime() < deadline) {
      pause();
    }
    long start = System.nanoTime();
    assertThatThrownBy(() -> run("guest-ping", Duration.ofMillis(300)))
        .isInstanceOf(AgentTimeoutException.class)
        .hasMessageContaining("busy");
    assertThat(millisSince(start)).isBetween(250L, 1000L);
    assertThat(slowOne.get(10, TimeUnit.SECONDS).get("paths").isArray()).isTrue();
  }

  @Test
  void commandWithoutSuccessReplySucceedsOnSilenceAndResyncs() {
    agent.expect("guest-shutdown", "{\"return\": {}}", silent());
    agent.expect("guest-ping", "{\"return\": {}}");
    long start = System.nanoTime();
    JsonNode r = run("guest-shutdown", Duration.ofMillis(300));
    assertThat(r.isObject() && r.isEmpty()).isTrue();
    assertThat(millisSince(start)).isGreaterThanOrEqualTo(250L);
    run("guest-ping", Duration.ofSeconds(3));
    assertThat(session.stats().syncs()).isEqualTo(2);
    agent.verify();
  }

  @Test
  void commandWithoutSuccessReplySucceedsOnEof() {
    agent.expect("guest-suspend-ram", "{\"return\": {}}", closeMidReply());
    JsonNode r = run("guest-suspend-ram", Duration.ofSeconds(3));
    assertThat(r.isEmpty()).isTrue();
    assertThat(session.stats().connected()).isFalse();
  }

  @Test
  void commandWithoutSuccessReplyStillReportsErrors() {
    agent.expect(
        "guest-shutdown",
        "{\"error\": {\"class\": \"GenericError\", \"desc\": \"child process has failed to"
            + " shutdown\"}}");
    assertThatThrownBy(() -> run("guest-shutdown", Duration.ofSeconds(3)))
        .isExactlyInstanceOf(AgentErrorException.class)
        .hasMessageContaining("failed to shutdown");
  }

  @Test
  void oversizeReplyIsAProtocolErrorAndTheSessionRecovers() throws Exception {
    session.close();
    session =
        new AgentSession(
            AgentAddress.unix(agent.socket()),
            AgentSession.Options.defaults().withMaxReplyBytes(4096));
    byte[] big =
        ("{\"return\": \"" + "x".repeat(10_000) + "\"}\n").getBytes(StandardCharsets.US_ASCII);
    agent.expectRaw("guest-get-users", big, ScriptedAgent.normal());
    agent.expect("guest-get-users", "{\"return\": []}");
    assertThatThrownBy(() -> run("guest-get-users", Duration.ofSeconds(3)))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("exceeds the limit of 4096 bytes");
    assertThat(session.stats().protocolErrors()).isEqualTo(1);
    assertThat(run("guest-get-users", Duration.ofSeconds(3)).isArray()).isTrue();
    assertThat(session.stats().connects()).isEqualTo(2);
  }

  @Test
  void hostileBytesAreAProtocolError() {
    agent.expectRaw(
        "guest-get-vcpus",
        "{\"return\": [1e400]}\n".getBytes(StandardCharsets.US_ASCII),
        ScriptedAgent.normal());
    assertThatThrownBy(() -> run("guest-get-vcpus", Duration.ofSeconds(3)))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("guest-get-vcpus");
  }

  @Test
  void closeFromAnotherThreadAbortsTheCommandInFlight() throws Exception {
    agent.expect("guest-get-fsinfo", "{\"return\": []}", silent());
    Future<Throwable> inFlight =
        threads.submit(
            () -> {
              try {
                run("guest-get-fsinfo", Duration.ofSeconds(20));
                return null;
              } catch (RuntimeException e) {
                return e;
              }
            });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (agent.commands().isEmpty() && System.nanoTime() < deadline) {
      pause();
    }
    long start = System.nanoTime();
    session.close();
    assertThat(inFlight.get(5, TimeUnit.SECONDS)).isInstanceOf(AgentConnectionException.class);
    assertThat(millisSince(start)).isLessThan(2000);
  }

  @Test
  void deadlineAlreadyPassedFailsWithoutTouchingTheAgent() {
    assertThatThrownBy(() -> run("guest-ping", Duration.ZERO))
        .isInstanceOf(AgentTimeoutException.class);
    assertThat(agent.connections()).isZero();
  }
}
