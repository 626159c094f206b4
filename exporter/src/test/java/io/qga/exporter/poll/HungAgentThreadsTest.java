package io.qga.exporter.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.client.AgentAddress;
import io.qga.client.protocol.AgentSession;
import io.qga.exporter.poll.PolledDomain.Phase;
import io.qga.sim.scripted.ScriptedAgent;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Agents that never answer, on real unix sockets: they hold no poll thread, first contact on. */
class HungAgentThreadsTest {
  private static final FakeCollector A = new FakeCollector("a", "cmd-a");
  @TempDir Path dir;
  private final List<ScriptedAgent> agents = new ArrayList<>();
  private Poller poller;

  @AfterEach
  void stop() {
    if (poller != null) {
      poller.close();
    }
    agents.forEach(ScriptedAgent::close);
  }

  private PollTarget target(ScriptedAgent agent, String name) {
    AgentSession.Options options =
        AgentSession.Options.defaults().withSyncTimeout(Duration.ofMillis(500));
    return new PollTarget(
        name,
        Optional.empty(),
        agent.socket().toString(),
        () -> new AgentSession(AgentAddress.unix(agent.socket()), options));
  }

  @Test
  void hungAgentsAreProbedWithoutPollThreadsWhileAHealthyOneKeepsItsPace() throws Exception {
    List<PollTarget> targets = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ScriptedAgent hung = ScriptedAgent.start(dir.resolve("hung-" + i + ".sock")).neverAnswer();
      agents.add(hung);
      targets.add(target(hung, "hung-" + i));
    }
    ScriptedAgent healthy = ScriptedAgent.start(dir.resolve("healthy.sock"));
    agents.add(healthy);
    healthy.answer(
        "guest-info",
        "{\"return\": {\"version\": \"7.2.22\", \"supported_commands\": [{\"name\": \"cmd-a\","
            + " \"enabled\": true, \"success-response\": true}]}}");
    healthy.answer("cmd-a", "{\"return\": {\"value\": 1}}");
    targets.add(target(healthy, "healthy"));

    PollSettings settings =
        PollSettings.of(Map.of("a", Duration.ofMillis(200)))
            .withCommandTimeout(Duration.ofSeconds(1));
    poller = new Poller(List.of(A), settings, 2, Clock.systemUTC());
    poller.start();
    poller.setTargets(targets);

    Await.until(
        Duration.ofSeconds(20),
        "every hung agent found not responding",
        () ->
            poller.polledDomains().stream()
                .filter(d -> d.name().startsWith("hung-"))
                .allMatch(d -> d.phase() == Phase.DOWN));
    Await.until(
        Duration.ofSeconds(20),
        "healthy polled repeatedly",
        () -> healthy.commands().stream().filter("cmd-a"::equals).count() >= 5);
    for (PolledDomain d : poller.polledDomains()) {
      if (d.name().startsWith("hung-")) {
        assertThat(d.state().lastError()).contains("agent not responding");
      }
    }
    // 30 agents that never answer, each probed (sync timeout 500 ms) at first contact and
    // again after its backoff: with a thread per waiting agent the pool would reach 31
    assertThat(poller.largestPoolThreads()).isLessThan(10);
    assertThat(poller.pollErrors()).containsKey("timeout");
  }
}
