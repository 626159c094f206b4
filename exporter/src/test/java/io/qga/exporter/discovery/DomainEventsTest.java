package io.qga.exporter.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.exporter.discovery.DomainEvents.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DomainEventsTest {
  private final List<String> did = new ArrayList<>();
  private final DomainEvents events =
      new DomainEvents(
          new DomainEvents.Reactions() {
            @Override
            public void rediscover() {
              did.add("rediscover");
            }

            @Override
            public void pollNow(String domain) {
              did.add("poll " + domain);
            }
          });

  @Test
  void libvirtsEventNumbersMapToKinds() {
    assertThat(Kind.lifecycle(0)).isEqualTo(Kind.DEFINED);
    assertThat(Kind.lifecycle(2)).isEqualTo(Kind.STARTED);
    assertThat(Kind.lifecycle(3)).isEqualTo(Kind.SUSPENDED);
    assertThat(Kind.lifecycle(4)).isEqualTo(Kind.RESUMED);
    assertThat(Kind.lifecycle(5)).isEqualTo(Kind.STOPPED);
    assertThat(Kind.lifecycle(7)).isEqualTo(Kind.PMSUSPENDED);
    assertThat(Kind.lifecycle(8)).isEqualTo(Kind.CRASHED);
    assertThat(Kind.lifecycle(99)).isEqualTo(Kind.OTHER);
    assertThat(Kind.lifecycle(-1)).isEqualTo(Kind.OTHER);
    assertThat(Kind.agent(1)).isEqualTo(Kind.AGENT_CONNECTED);
    assertThat(Kind.agent(2)).isEqualTo(Kind.AGENT_DISCONNECTED);
    assertThat(Kind.agent(7)).isEqualTo(Kind.OTHER);
    assertThat(Kind.AGENT_CONNECTED.label()).isEqualTo("agent_connected");
  }

  @Test
  void aStartedDomainIsDiscoveredAtOnceAndAStoppedOneGoes() {
    events.on("web-1", Kind.STARTED, 0);
    assertThat(events.active("web-1")).isTrue();
    assertThat(events.paused("web-1")).isFalse();
    assertThat(did).containsExactly("rediscover", "poll web-1");

    did.clear();
    events.on("web-1", Kind.STOPPED, 0);
    assertThat(events.active("web-1")).isFalse();
    assertThat(did).containsExactly("rediscover");
  }

  @Test
  void pausedWhileSuspendedAndPolledAtOnceWhenResumed() {
    events.on("web-1", Kind.STARTED, 0);
    did.clear();

    events.on("web-1", Kind.SUSPENDED, 0);
    assertThat(events.paused("web-1")).isTrue();
    assertThat(did).as("a pause changes no domain set and polls nothing").isEmpty();

    events.on("web-1", Kind.RESUMED, 0);
    assertThat(events.paused("web-1")).isFalse();
    assertThat(did).containsExactly("poll web-1");
  }

  @Test
  void aGuestSuspendedToRamIsPausedUntilItWakes() {
    events.on("web-1", Kind.STARTED, 0);
    events.on("web-1", Kind.PMSUSPENDED, 0);
    assertThat(events.paused("web-1")).isTrue();
    events.on("web-1", Kind.STARTED, 4); // VIR_DOMAIN_EVENT_STARTED_WAKEUP
    assertThat(events.paused("web-1")).isFalse();
  }

  @Test
  void anIncomingMigrationIsPausedUntilItResumes() {
    events.on("web-1", Kind.STARTED, DomainEvents.STARTED_MIGRATED);
    assertThat(events.paused("web-1")).isTrue();
    events.on("web-1", Kind.RESUMED, 1);
    assertThat(events.paused("web-1")).isFalse();
  }

  @Test
  void anAgentThatConnectsOrLeavesIsPolledAtOnce() {
    events.on("web-1", Kind.AGENT_CONNECTED, 2);
    assertThat(did).containsExactly("poll web-1");
    did.clear();
    events.on("web-1", Kind.AGENT_DISCONNECTED, 2);
    assertThat(did).containsExactly("poll web-1");
    did.clear();
    events.on("web-1", Kind.SHUTDOWN, 0);
    assertThat(did).isEmpty();
  }

  @Test
  void definedUndefinedAndCrashedRediscover() {
    for (Kind k : List.of(Kind.DEFINED, Kind.UNDEFINED, Kind.CRASHED, Kind.OTHER)) {
      did.clear();
      events.on("web-1", k, 0);
      assertThat(did).as(k.label()).containsExactly("rediscover");
    }
  }

  @Test
  void aResyncReplacesWhatEventsSaidAndRediscovers() {
    events.on("gone", Kind.STARTED, 0);
    events.on("web-1", Kind.STARTED, 0);
    events.on("web-2", Kind.SUSPENDED, 0);
    did.clear();

    Map<String, Boolean> now = new LinkedHashMap<>();
    now.put("web-1", true); // paused while the connection was down
    now.put("web-2", false);
    now.put("web-3", false);
    events.resync(now);

    assertThat(events.activeDomains()).containsExactly("web-1", "web-2", "web-3");
    assertThat(events.paused("web-1")).isTrue();
    assertThat(events.paused("web-2")).isFalse();
    assertThat(events.active("gone")).isFalse();
    assertThat(did).containsExactly("rediscover");
  }

  @Test
  void namesAreCleanedAsDiscoveryCleansThem() {
    String odd = "web\u0001-1";
    events.on(odd, Kind.SUSPENDED, 0);
    assertThat(events.activeDomains()).hasSize(1);
    String cleaned = events.activeDomains().iterator().next();
    assertThat(cleaned).doesNotContain("\u0001");
    assertThat(events.paused(cleaned)).isTrue();
  }
}
