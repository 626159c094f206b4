package io.qga.exporter.policy;

import static io.qga.exporter.policy.PolicyEngineTest.DEFAULTS;
import static io.qga.exporter.policy.PolicyEngineTest.audit;
import static io.qga.exporter.policy.PolicyEngineTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.qga.exporter.action.ActionExecutor;
import io.qga.exporter.action.FakeChannel;
import io.qga.exporter.action.TestDomains;
import io.qga.exporter.config.Policy;
import io.qga.exporter.config.PolicyAction;
import io.qga.exporter.config.PolicyMatch;
import io.qga.exporter.runtime.Timers;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policy schedules as Quartz cron triggers on the daemon's one scheduler. */
class PolicyScheduleTest {
  @TempDir Path stateDir;

  static Policy trim(String name, String schedule, Duration cooldown) {
    return new Policy(
        name,
        PolicyMatch.ALL,
        Optional.of(schedule),
        Optional.empty(),
        new PolicyAction.Fstrim(0),
        cooldown,
        false,
        OptionalInt.empty(),
        List.of(),
        Optional.of(ZoneOffset.UTC),
        Duration.ZERO);
  }

  @Test
  void aPolicyFiresThroughTheDaemonsSchedulerAtItsCronTime() throws Exception {
    TestDomains domains = new TestDomains();
    FakeChannel channel = new FakeChannel("vm");
    domains.add("vm", channel).agent().capabilities();
    try (Timers timers = Timers.create("test");
        ActionExecutor executor =
            ActionExecutor.open(
                stateDir, domains, Clock.systemUTC(), PolicyEngine.actionLimits(DEFAULTS));
        PolicyEngine engine =
            new PolicyEngine(
                List.of(trim("every-second", "* * * ? * *", Duration.ofHours(1))),
                DEFAULTS,
                domains,
                executor,
                timers)) {
      engine.start();
      // the engine has no timer of its own: while the daemon's scheduler fires nothing, nor does it
      Thread.sleep(1500);
      assertThat(channel.count("guest-fstrim")).isZero();
      // its next run is the trigger's: a whole second
      Instant next = engine.nextRuns().get("every-second");
      assertThat(next.getNano()).isZero();
      timers.resume();
      await(() -> channel.count("guest-fstrim") == 1, Duration.ofSeconds(10));
      int[] skipped = {0};
      await(
          () -> {
            try {
              return audit(stateDir, skipped).size() == 1;
            } catch (Exception e) {
              return false;
            }
          },
          Duration.ofSeconds(10));
      JsonNode r = audit(stateDir, skipped).get(0);
      assertThat(r.get("trigger").asText()).isEqualTo("schedule");
      assertThat(r.get("reason").asText()).isEqualTo("schedule * * * ? * * fired");
      assertThat(r.get("result").asText()).isEqualTo("succeeded");
    }
  }

  @Test
  void reloadReplacesTheTriggersOfChangedPoliciesAndRemovesThoseOfRemovedOnes() throws Exception {
    TestDomains domains = new TestDomains();
    FakeChannel channel = new FakeChannel("vm");
    domains.add("vm", channel).agent().capabilities();
    try (Timers timers = Timers.start("test");
        ActionExecutor executor =
            ActionExecutor.open(
                stateDir, domains, Clock.systemUTC(), PolicyEngine.actionLimits(DEFAULTS));
        PolicyEngine engine =
            new PolicyEngine(
                List.of(trim("trim", "0 0 3 ? * SUN", Duration.ofHours(1))),
                DEFAULTS,
                domains,
                executor,
                timers)) {
      engine.start();
      Instant now = Instant.now();
      assertThat(engine.nextRuns())
          .containsEntry(
              "trim", Rules.nextFire("0 0 3 ? * SUN", ZoneOffset.UTC, now).orElseThrow());
      assertThat(timers.size()).isEqualTo(1);

      // changed: the weekly trigger goes, the new schedule fires
      engine.update(
          List.of(
              trim("trim", "* * * ? * *", Duration.ofHours(1)),
              trim("other", "@yearly", Duration.ZERO)),
          DEFAULTS);
      await(() -> channel.count("guest-fstrim") == 1, Duration.ofSeconds(10));
      assertThat(engine.nextRuns().get("trim")).isBefore(Instant.now().plusSeconds(2));
      assertThat(engine.nextRuns()).containsKey("other");
      assertThat(timers.size()).isEqualTo(2);

      // removed: its trigger goes with it; the unchanged one stays
      Instant yearly = engine.nextRuns().get("other");
      engine.update(List.of(trim("other", "@yearly", Duration.ZERO)), DEFAULTS);
      assertThat(engine.nextRuns()).containsOnlyKeys("other").containsEntry("other", yearly);
      assertThat(timers.size()).isEqualTo(1);
      engine.update(List.of(), DEFAULTS);
      assertThat(engine.nextRuns()).isEmpty();
      assertThat(timers.size()).isZero();
    }
  }

  @Test
  void aTimeBothCrontabDayFieldsMatchRunsThePolicyOnce() throws Exception {
    // crontab "0 3 1 * 1": 03:00 on the 1st or on a Monday, two Quartz triggers. 2024-01-01 is
    // a Monday and the 1st: both fire for 03:00; the policy runs once (no cooldown to hide a
    // second run).
    TestDomains domains = new TestDomains();
    FakeChannel channel = new FakeChannel("vm");
    domains.add("vm", channel).agent().capabilities();
    try (Timers timers = Timers.start("test");
        ActionExecutor executor =
            ActionExecutor.open(
                stateDir, domains, Clock.systemUTC(), PolicyEngine.actionLimits(DEFAULTS));
        PolicyEngine engine =
            new PolicyEngine(
                List.of(trim("either-day", "0 3 1 * 1", Duration.ZERO)),
                DEFAULTS,
                domains,
                executor,
                timers)) {
      engine.start();
      Instant both = Instant.parse("2024-01-01T03:00:00Z");
      engine.onSchedule("either-day", both);
      await(() -> channel.count("guest-fstrim") == 1, Duration.ofSeconds(10));
      await(() -> executor.active().isEmpty(), Duration.ofSeconds(10));
      engine.onSchedule("either-day", both); // the other trigger, same time
      engine.awaitIdle();
      Thread.sleep(300);
      assertThat(channel.count("guest-fstrim")).isEqualTo(1);
      // the next fire time of the merged schedule runs again
      engine.onSchedule("either-day", Instant.parse("2024-01-08T03:00:00Z"));
      await(() -> channel.count("guest-fstrim") == 2, Duration.ofSeconds(10));
    }
  }
}
