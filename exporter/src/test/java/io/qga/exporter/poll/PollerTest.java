package io.qga.exporter.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.exporter.poll.PolledDomain.Phase;
import io.qga.exporter.runtime.DomainHandle;
import io.qga.exporter.runtime.DomainListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PollerTest {
  private static final FakeCollector A = new FakeCollector("a", "cmd-a");
  private static final FakeCollector B = new FakeCollector("b", "cmd-b");
  private final Map<String, FakeChannel> channels = new LinkedHashMap<>();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private Poller poller;

  @AfterEach
  void stop() {
    if (poller != null) {
      poller.close();
    }
  }

  private Poller start(PollSettings settings, int workers, String... domains) {
    poller = new Poller(List.of(A, B), settings, workers, Clock.systemUTC());
    poller.addListener(
        new DomainListener() {
          @Override
          public void onAgentUp(DomainHandle d) {
            events.add("up " + d.name());
          }

          @Override
          public void onAgentDown(DomainHandle d, String reason) {
            events.add("down " + d.name());
          }

          @Override
          public void onDomainRemoved(String d) {
            events.add("removed " + d);
          }
        });
    poller.start();
    poller.setTargets(targets(domains));
    return poller;
  }

  private List<PollTarget> targets(String... domains) {
    List<PollTarget> out = new ArrayList<>();
    for (String d : domains) {
      FakeChannel c =
          channels.computeIfAbsent(d, n -> new FakeChannel(n, Set.of("cmd-a", "cmd-b")));
      out.add(new PollTarget(d, Optional.empty(), "fake:" + d, () -> c));
    }
    return out;
  }

  private static PollSettings every(Duration a, Duration b) {
    Map<String, Duration> intervals = new LinkedHashMap<>();
    intervals.put("a", a);
    if (b != null) {
      intervals.put("b", b);
    }
    return PollSettings.of(intervals).withCommandTimeout(Duration.ofMillis(500));
  }

  private PolledDomain domain(String name) {
    return (PolledDomain) poller.find(name).orElseThrow();
  }

  @Test
  void pollsEveryCollectorOfEveryDomainAtItsInterval() {
    start(every(Duration.ofMillis(150), Duration.ofMillis(300)), 4, "web-1", "web-2");

    for (String d : List.of("web-1", "web-2")) {
      FakeChannel c = channels.get(d);
      Await.until(Duration.ofSeconds(5), d + " polled repeatedly", () -> c.calls("cmd-a") >= 5);
      Await.until(Duration.ofSeconds(5), d + " polled by b", () -> c.calls("cmd-b") >= 2);
      DomainHandle h = poller.find(d).orElseThrow();
      assertThat(h.state().up()).isTrue();
      assertThat(h.state().version()).isEqualTo("7.2.22");
      assertThat(domain(d).collectorsWithSeries()).containsOnly("a", "b");
      assertThat(h.guest().commands()).containsExactlyInAnyOrder("cmd-a", "cmd-b");
      // guest-info once on connect, not before every poll
      assertThat(c.calls("guest-info")).isEqualTo(1);
      // the agent handles one request at a time
      assertThat(c.maxInFlight.get()).isEqualTo(1);
    }
    assertThat(poller.all()).extracting(DomainHandle::name).containsExactly("web-1", "web-2");
    assertThat(events).containsExactlyInAnyOrder("up web-1", "up web-2");
  }

  @Test
  void aPollStillRunningIsSkippedAndCountedNotQueuedAgain() {
    FakeChannel c = new FakeChannel("slow", Set.of("cmd-a"));
    c.gatedCommand = "cmd-a";
    CountDownLatch gate = new CountDownLatch(1);
    c.gate = gate;
    channels.put("slow", c);
    start(every(Duration.ofMillis(50), null).withCommandTimeout(Duration.ofSeconds(10)), 2, "slow");

    Await.until(
        Duration.ofSeconds(5),
        "polls skipped while the first is running",
        () -> poller.skippedPolls().getOrDefault("a", 0L) >= 5);
    assertThat(c.calls("cmd-a")).isEqualTo(1);

    gate.countDown();
    Await.until(Duration.ofSeconds(5), "polling resumes", () -> c.calls("cmd-a") >= 3);
    assertThat(c.maxInFlight.get()).isEqualTo(1);
  }

  @Test
  void aHungAgentNeverDelaysAnotherDomain() {
    FakeChannel hung = new FakeChannel("hung", Set.of("cmd-a"));
    channels.put("hung", hung);
    start(
        every(Duration.ofMillis(100), null).withCommandTimeout(Duration.ofSeconds(1)),
        4,
        "healthy");
    // the healthy domain is up and polled before the hung one appears
    Await.until(
        Duration.ofSeconds(5),
        "healthy up and polled once",
        () ->
            domain("healthy").phase() == Phase.UP
                && domain("healthy").collectorStates().get("a") != null);
    hung.mode = FakeChannel.Mode.HUNG;
    poller.setTargets(targets("healthy", "hung"));

    long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    long worstAgeMillis = 0;
    while (System.nanoTime() < end) {
      Instant last = domain("healthy").collectorStates().get("a").lastSuccess();
      worstAgeMillis = Math.max(worstAgeMillis, Duration.between(last, Instant.now()).toMillis());
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    // interval 100 ms; the hung agent's 1 s timeouts must not show up here
    assertThat(worstAgeMillis).isLessThan(600);
    assertThat(domain("hung").phase()).isEqualTo(Phase.DOWN);
    assertThat(domain("hung").state().lastError()).contains("no reply within 1000 ms");
    assertThat(poller.pollErrors()).containsKey("timeout");
  }

  @Test
  void manyHungAgentsDoNotStarveAHealthyOne() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String name = "hung-" + i;
      FakeChannel c = new FakeChannel(name, Set.of("cmd-a"));
      c.mode = FakeChannel.Mode.HUNG;
      channels.put(name, c);
      names.add(name);
    }
    names.add("healthy");
    // a minimum of 2 threads: the pool must grow with the domains
    start(
        every(Duration.ofMillis(100), null).withCommandTimeout(Duration.ofSeconds(2)),
        2,
        names.toArray(String[]::new));
    assertThat(poller.poolSize()).isEqualTo(9);
    FakeChannel healthy = channels.get("healthy");
    Await.until(Duration.ofSeconds(5), "healthy polled", () -> healthy.calls("cmd-a") >= 1);
    int before = healthy.calls("cmd-a");
    // within the hung agents' first 2 s timeout, the healthy one keeps its 100 ms pace
    Await.until(
        Duration.ofMillis(1500),
        "healthy keeps polling",
        () -> healthy.calls("cmd-a") >= before + 5);
  }

  @Test
  void aDeadAgentIsOnlyProbedAndRecoversWithinOneInterval() {
    FakeChannel c = new FakeChannel("vm", Set.of("cmd-a"));
    c.mode = FakeChannel.Mode.DEAD;
    channels.put("vm", c);
    Duration interval = Duration.ofMillis(1000);
    start(every(interval, null), 2, "vm");

    Await.until(Duration.ofSeconds(5), "vm down", () -> events.contains("down vm"));
    Await.until(Duration.ofSeconds(5), "probed several times", () -> c.calls("guest-ping") >= 3);
    // while down, collectors do not run: only guest-info once, then cheap pings
    assertThat(c.calls("cmd-a")).isZero();
    assertThat(c.calls("guest-info")).isEqualTo(1);
    assertThat(events).containsExactly("down vm"); // one event, not one per failed probe
    assertThat(domain("vm").state().up()).isFalse();

    long back = System.nanoTime();
    c.mode = FakeChannel.Mode.HEALTHY;
    Await.until(Duration.ofSeconds(5), "vm up again", () -> domain("vm").phase() == Phase.UP);
    long tookMillis = (System.nanoTime() - back) / 1_000_000;
    // probes are capped at one interval (uncapped, the next probe after 1+2+4 s would wait 8 s);
    // the rest is slack for a loaded 2-core CI machine
    assertThat(tookMillis).isLessThan(interval.toMillis() + 1500);
    // every collector is polled at once on recovery
    Await.until(Duration.ofSeconds(2), "polled after recovery", () -> c.calls("cmd-a") >= 1);
    // listeners hear of the recovery just after the phase changes
    Await.until(Duration.ofSeconds(2), "up event", () -> events.contains("up vm"));
    assertThat(events).containsExactly("down vm", "up vm");
  }

  @Test
  void domainsAppearAndDisappearWithoutDisturbingOthers() {
    start(every(Duration.ofMillis(100), null), 4, "a-vm");
    Await.until(Duration.ofSeconds(5), "a-vm up", () -> events.contains("up a-vm"));
    PolledDomain before = domain("a-vm");

    poller.setTargets(targets("a-vm", "b-vm"));
    Await.until(
        Duration.ofSeconds(5), "b-vm polled", () -> channels.get("b-vm").calls("cmd-a") >= 2);
    assertThat(domain("a-vm")).isSameAs(before);

    poller.setTargets(targets("b-vm"));
    assertThat(poller.find("a-vm")).isEmpty();
    assertThat(events).contains("removed a-vm");
    assertThat(channels.get("a-vm").closes.get()).isPositive();
    int callsAtRemoval = channels.get("a-vm").calls("cmd-a");
    int bAtRemoval = channels.get("b-vm").calls("cmd-a");
    Await.until(
        Duration.ofSeconds(5),
        "b-vm still polled",
        () -> channels.get("b-vm").calls("cmd-a") > bAtRemoval + 3);
    // at most one poll that was already running when it was removed
    assertThat(channels.get("a-vm").calls("cmd-a")).isLessThanOrEqualTo(callsAtRemoval + 1);
  }

  @Test
  void aCollectorWhoseCommandTheAgentLacksIsNotPolled() {
    FakeChannel c = new FakeChannel("old", Set.of("cmd-a"));
    channels.put("old", c);
    start(every(Duration.ofMillis(100), Duration.ofMillis(100)), 2, "old");

    Await.until(Duration.ofSeconds(5), "a polled", () -> c.calls("cmd-a") >= 5);
    assertThat(c.calls("cmd-b")).isZero();
    assertThat(domain("old").collectorStates().get("b").unsupported()).isTrue();
    assertThat(domain("old").collectorsWithSeries()).containsOnly("a");
    assertThat(poller.pollErrors()).isEmpty();

    // a new agent version offering the command: polled from then on
    c.commands = Set.of("cmd-a", "cmd-b");
    c.version = "9.0.0";
    poller.apply(poller.settings().withInfoRefresh(Duration.ofMillis(200)));
    Await.until(Duration.ofSeconds(5), "b polled after upgrade", () -> c.calls("cmd-b") >= 1);
  }

  @Test
  void reloadKeepsDomainsAndDropsDisabledCollectors() {
    start(every(Duration.ofMillis(100), Duration.ofMillis(100)), 2, "vm");
    FakeChannel c = channels.get("vm");
    Await.until(Duration.ofSeconds(5), "b polled", () -> c.calls("cmd-b") >= 2);
    PolledDomain before = domain("vm");

    poller.apply(every(Duration.ofMillis(100), null));
    assertThat(domain("vm")).isSameAs(before);
    assertThat(domain("vm").collectorsWithSeries()).doesNotContain("b");
    int b = c.calls("cmd-b");
    int a = c.calls("cmd-a");
    Await.until(Duration.ofSeconds(5), "a still polled", () -> c.calls("cmd-a") >= a + 3);
    assertThat(c.calls("cmd-b")).isLessThanOrEqualTo(b + 1);
    assertThat(c.calls("guest-info")).isEqualTo(1);
  }
}
