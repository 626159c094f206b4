package io.qga.exporter.poll;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Poller#wake} and {@link Poller#pausedBy}: what libvirt's events ask of the poller. */
class PollerWakeTest {
  private static final FakeCollector A = new FakeCollector("a", "cmd-a");
  private Poller poller;

  @AfterEach
  void stop() {
    if (poller != null) {
      poller.close();
    }
  }

  private FakeChannel start(String name) {
    FakeChannel c = new FakeChannel(name, Set.of("cmd-a"));
    // an hour between polls: anything polled again within the test was asked for
    PollSettings hourly =
        PollSettings.of(Map.of("a", Duration.ofHours(1)))
            .withCommandTimeout(Duration.ofMillis(500))
            .withBackoffMax(Duration.ofHours(1));
    poller = new Poller(List.of(A), hourly, 2, Clock.systemUTC());
    poller.start();
    poller.setTargets(List.of(new PollTarget(name, Optional.empty(), "fake:" + name, () -> c)));
    return c;
  }

  @Test
  void aWokenDomainThatIsUpReadsGuestInfoAndPollsEveryCollectorAgain() {
    FakeChannel c = start("vm");
    Await.until(Duration.ofSeconds(5), "first poll", () -> c.calls("cmd-a") == 1);
    assertThat(c.calls("guest-info")).isEqualTo(1);

    poller.wake("vm");

    Await.until(Duration.ofSeconds(5), "polled again when woken", () -> c.calls("cmd-a") == 2);
    assertThat(c.calls("guest-info")).as("a reconnected agent may be another version").isEqualTo(2);
  }

  @Test
  void aWokenDomainThatIsDownIsProbedAtOnceNotAfterItsBackoff() {
    FakeChannel c = start("vm");
    Await.until(Duration.ofSeconds(5), "first poll", () -> c.calls("cmd-a") == 1);
    c.mode = FakeChannel.Mode.DEAD;
    poller.wake("vm"); // up: polls, fails, down
    // three failed probes (after 1, 2 and 4 s): the next one is 8 s away
    Await.until(Duration.ofSeconds(20), "probed 3 times", () -> c.calls("guest-ping") >= 3);
    int pings = c.calls("guest-ping");

    poller.wake("vm");

    Await.until(Duration.ofSeconds(5), "probed when woken", () -> c.calls("guest-ping") > pings);
    c.mode = FakeChannel.Mode.HEALTHY;
    poller.wake("vm");
    Await.until(
        Duration.ofSeconds(5), "up again", () -> poller.find("vm").orElseThrow().state().up());
  }

  @Test
  void unknownNamesAreIgnoredAndPausedComesFromTheGivenSource() {
    start("vm");
    poller.wake("no-such-domain");
    assertThat(poller.find("vm").orElseThrow().paused()).isFalse();
    poller.pausedBy(name -> name.equals("vm"));
    assertThat(poller.find("vm").orElseThrow().paused()).isTrue();
  }
}
