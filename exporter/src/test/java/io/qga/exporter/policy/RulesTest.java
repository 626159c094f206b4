package io.qga.exporter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.client.api.Capabilities;
import io.qga.exporter.action.ActionRecord;
import io.qga.exporter.action.ActionState;
import io.qga.exporter.action.AuditLog;
import io.qga.exporter.action.Origin;
import io.qga.exporter.action.Outcome;
import io.qga.exporter.config.MaintenanceWindow;
import io.qga.exporter.config.Policy;
import io.qga.exporter.config.PolicyAction;
import io.qga.exporter.config.PolicyConditions;
import io.qga.exporter.config.PolicyDefaults;
import io.qga.exporter.config.PolicyMatch;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesTest {
  static final PolicyDefaults DEFAULTS = PolicyDefaults.DEFAULT;
  static final Instant NOW = Instant.parse("2024-05-05T03:30:00Z"); // a Sunday
  static final Capabilities CAPS =
      new Capabilities(
          "7.2.22",
          Set.of("guest-fstrim", "guest-set-time", "guest-get-time"),
          Set.of("guest-fstrim", "guest-set-time", "guest-get-time"));

  static PolicyConditions when() {
    return new PolicyConditions(
        Optional.empty(),
        OptionalDouble.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  static Policy rule(
      String schedule,
      PolicyConditions when,
      PolicyAction action,
      Duration cooldown,
      List<MaintenanceWindow> windows,
      ZoneId zone) {
    return new Policy(
        "rule",
        PolicyMatch.ALL,
        Optional.ofNullable(schedule),
        Optional.ofNullable(when),
        action,
        cooldown,
        false,
        OptionalInt.empty(),
        windows,
        Optional.ofNullable(zone),
        Duration.ZERO);
  }

  static Policy timeRule(PolicyConditions when) {
    return rule(
        null,
        when,
        new PolicyAction.TimeSync(PolicyAction.TimeSource.HOST, Duration.ofHours(1)),
        Duration.ZERO,
        List.of(),
        null);
  }

  static Policy trimRule(String schedule, PolicyConditions when) {
    return rule(schedule, when, new PolicyAction.Fstrim(0), Duration.ZERO, List.of(), null);
  }

  static DomainFacts facts(String domain) {
    return new DomainFacts(domain, "debian", CAPS, true, false, 0.0, 0.0, Map.of("/", 0.5));
  }

  static DomainFacts offset(double now, Double before) {
    return new DomainFacts("vm", "debian", CAPS, true, false, now, before, Map.of());
  }

  static Decision eval(Policy p, DomainFacts f, History h, Instant now, Trigger t) {
    return Rules.evaluate(p, DEFAULTS, f, h, now, t);
  }

  @Test
  void timeOffsetAbove() {
    Policy p =
        timeRule(
            new PolicyConditions(
                Optional.of(Duration.ofSeconds(1)),
                OptionalDouble.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty()));
    assertThat(eval(p, offset(30.0, null), History.NONE, NOW, Trigger.COLLECTED))
        .isEqualTo(Decision.run("time offset 30.000 s is above 1s"));
    assertThat(eval(p, offset(-1.5, null), History.NONE, NOW, Trigger.COLLECTED).run()).isTrue();
    assertThat(eval(p, offset(0.9, null), History.NONE, NOW, Trigger.COLLECTED))
        .isEqualTo(Decision.skip("time offset 0.900 s is not above 1s"));
    assertThat(
            eval(
                    p,
                    new DomainFacts("vm", null, CAPS, true, false, null, null, Map.of()),
                    History.NONE,
                    NOW,
                    Trigger.COLLECTED)
                .reason())
        .isEqualTo("no time offset polled yet");
  }

  @Test
  void filesystemUsedRatioAbovePerMountpoint() {
    Policy p =
        trimRule(
            null,
            new PolicyConditions(
                Optional.empty(),
                OptionalDouble.of(0.8),
                Optional.empty(),
                Optional.empty(),
                Optional.empty()));
    DomainFacts full =
        new DomainFacts(
            "vm", "debian", CAPS, true, false, null, null, Map.of("/", 0.5, "/var", 0.91));
    assertThat(eval(p, full, History.NONE, NOW, Trigger.COLLECTED))
        .isEqualTo(Decision.run("filesystem used above 0.80: /var 0.91"));
    DomainFacts fine =
        new DomainFacts("vm", "debian", CAPS, true, false, null, null, Map.of("/", 0.5));
    assertThat(eval(p, fine, History.NONE, NOW, Trigger.COLLECTED))
        .isEqualTo(Decision.skip("no filesystem used above 0.80"));
  }

  @Test
  void sinceLastSuccessAbove() {
    Policy p =
        trimRule(
            null,
            new PolicyConditions(
                Optional.empty(),
                OptionalDouble.empty(),
                Optional.of(Duration.ofDays(7)),
                Optional.empty(),
                Optional.empty()));
    assertThat(eval(p, facts("vm"), History.NONE, NOW, Trigger.COLLECTED))
        .isEqualTo(Decision.run("never succeeded on this domain"));
    History recent = new History(NOW.minus(Duration.ofDays(6)), null);
    assertThat(eval(p, facts("vm"), recent, NOW, Trigger.COLLECTED).run()).isFalse();
    History old = new History(NOW.minus(Duration.ofDays(8)), null);
    assertThat(eval(p, facts("vm"), old, NOW, Trigger.COLLECTED).run()).isTrue();
  }

  @Test
  void agentConnectedHoldsOnlyOnTheEvent() {
    Policy p =
        timeRule(
            new PolicyConditions(
                Optional.empty(),
                OptionalDouble.empty(),
                Optional.empty(),
                Optional.of(true),
                Optional.empty()));
    assertThat(eval(p, facts("vm"), History.NONE, NOW, Trigger.AGENT_UP))
        .isEqualTo(Decision.run("the agent connected"));
    assertThat(eval(p, facts("vm"), History.NONE, NOW, Trigger.COLLECTED).run()).isFalse();
  }

  @Test
  void clockJumpedAboveComparesTwoPolls() {
    Policy p =
        timeRule(
            new PolicyConditions(
                Optional.empty(),
                OptionalDouble.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of(Duration.ofSeconds(5))));
    assertThat(eval(p, offset(0.2, 0.1), History.NONE, NOW, Trigger.COLLECTED).run()).isFalse();
    assertThat(eval(p, offset(-7.0, 0.1), History.NONE, NOW, Trigger.COLLECTED))
        .isEqualTo(Decision.run("clock offset changed by 7.100 s between polls (above 5s)"));
    assertThat(eval(p, offset(-7.0, null), History.NONE, NOW, Trigger.COLLECTED).reason())
        .isEqualTo("clock_jumped_above needs two time polls");
  }

  @Test
  void everySetConditionMustHold() {
    Policy p =
        trimRule(
            null,
            new PolicyConditions(
                Optional.empty(),
                OptionalDouble.of(0.8),
                Optional.of(Duration.ofDays(7)),
                Optional.empty(),
                Optional.empty()));
    DomainFacts full =
        new DomainFacts("vm", "debian", CAPS, true, false, null, null, Map.of("/", 0.9));
    assertThat(eval(p, full, new History(NOW.minusSeconds(60), null), NOW, Trigger.COLLECTED).run())
        .isFalse();
    assertThat(eval(p, full, History.NONE, NOW, Trigger.COLLECTED).reason())
        .isEqualTo("filesystem used above 0.80: / 0.90; never succeeded on this domain");
  }

  @Test
  void matchByGlobOsAndCapability() {
    Policy p =
        new Policy(
            "rule",
            new PolicyMatch(List.of("web-*"), List.of("debian"), true),
            Optional.of("0 0 3 ? * SUN"),
            Optional.empty(),
            new PolicyAction.Fstrim(0),
            Duration.ZERO,
            false,
            OptionalInt.empty(),
            List.of(),
            Optional.empty(),
            Duration.ZERO);
    assertThat(eval(p, facts("web-1"), History.NONE, NOW, Trigger.SCHEDULE).run()).isTrue();
    assertThat(eval(p, facts("db-1"), History.NONE, NOW, Trigger.SCHEDULE).reason())
        .isEqualTo("domain does not match [web-*]");
    DomainFacts windows =
        new DomainFacts("web-2", "mswindows", CAPS, true, false, null, null, Map.of());
    assertThat(eval(p, windows, History.NONE, NOW, Trigger.SCHEDULE).reason())
        .isEqualTo("guest OS id mswindows is not in [debian]");
    DomainFacts noTrim =
        new DomainFacts(
            "web-3",
            "debian",
            new Capabilities("2.5", Set.of("guest-ping"), Set.of("guest-ping", "guest-fstrim")),
            true,
            false,
            null,
            null,
            Map.of());
    assertThat(eval(p, noTrim, History.NONE, NOW, Trigger.SCHEDULE).reason())
        .isEqualTo("the agent does not offer guest-fstrim");
    DomainFacts unknown =
        new DomainFacts("web-4", "debian", null, true, false, null, null, Map.of());
    assertThat(eval(p, unknown, History.NONE, NOW, Trigger.SCHEDULE).run()).isFalse();
  }

  @Test
  void scheduleRulesIgnorePollsAndConditionRulesIgnoreSchedules() {
    Policy scheduled = trimRule("0 0 3 ? * SUN", null);
    assertThat(eval(scheduled, facts("vm"), History.NONE, NOW, Trigger.COLLECTED).run()).isFalse();
    assertThat(eval(scheduled, facts("vm"), History.NONE, NOW, Trigger.SCHEDULE))
        .isEqualTo(Decision.run("schedule 0 0 3 ? * SUN fired"));
    Policy conditional =
        timeRule(
            new PolicyConditions(
                Optional.of(Duration.ofSeconds(1)),
                OptionalDouble.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty()));
    assertThat(eval(conditional, offset(5, null), History.NONE, NOW, Trigger.SCHEDULE).run())
        .isFalse();
  }

  @Test
  void cooldownHoldsUntilItEnds() {
    Policy p =
        rule(
            "0 * * ? * *",
            null,
            new PolicyAction.Fstrim(0),
            Duration.ofMinutes(10),
            List.of(),
            null);
    History ranFiveMinutesAgo = new History(null, NOW.minus(Duration.ofMinutes(5)));
    Decision d = eval(p, facts("vm"), ranFiveMinutesAgo, NOW, Trigger.SCHEDULE);
    assertThat(d.run()).isFalse();
    assertThat(d.reason()).startsWith("cooldown 10m until 2024-05-05T03:35:00Z");
    assertThat(
            eval(
                    p,
                    facts("vm"),
                    ranFiveMinutesAgo,
                    NOW.plus(Duration.ofMinutes(6)),
                    Trigger.SCHEDULE)
                .run())
        .isTrue();
    // a manual run ignores timing guards
    assertThat(eval(p, facts("vm"), ranFiveMinutesAgo, NOW, Trigger.MANUAL).run()).isTrue();
  }

  @TempDir Path stateDir;

  @Test
  void cooldownAndSinceLastSuccessHoldAfterARestartWithStateReloaded() throws Exception {
    Policy weekly =
        new Policy(
            "weekly-trim",
            PolicyMatch.ALL,
            Optional.empty(),
            Optional.of(
                new PolicyConditions(
                    Optional.empty(),
                    OptionalDouble.empty(),
                    Optional.of(Duration.ofDays(7)),
                    Optional.empty(),
                    Optional.empty())),
            new PolicyAction.Fstrim(0),
            Duration.ofHours(2),
            false,
            OptionalInt.empty(),
            List.of(),
            Optional.empty(),
            Duration.ZERO);
    Instant ranAt = NOW.minus(Duration.ofHours(1));
    // before the restart: the run was audited (and state saved)
    try (AuditLog log = AuditLog.open(stateDir.resolve(AuditLog.FILE))) {
      log.append(
          new ActionRecord(
              "j1",
              ranAt,
              ranAt.minusSeconds(3),
              "vm",
              "fstrim",
              null,
              Origin.policy("weekly-trim", "condition"),
              false,
              Outcome.SUCCEEDED,
              null,
              null,
              null,
              null));
    }
    // after the restart: everything is reloaded from disk
    ActionState reloaded = ActionState.load(stateDir);
    History h = History.of(reloaded, "weekly-trim", "vm", "fstrim");
    assertThat(h.lastSuccess()).isEqualTo(ranAt);
    Decision d = eval(weekly, facts("vm"), h, NOW, Trigger.COLLECTED);
    assertThat(d.run()).isFalse();
    assertThat(d.reason()).startsWith("last success 2024-05-05T02:30:00Z is not more than 7d");
  }

  @Test
  void windowsAcrossMidnight() {
    Policy p =
        rule(
            "0 * * ? * *",
            null,
            new PolicyAction.Fstrim(0),
            Duration.ZERO,
            List.of(MaintenanceWindow.parse("Sat 22:00-02:00")),
            ZoneId.of("UTC"));
    // Sunday 01:30 UTC: the window that opened Saturday 22:00 is still open
    assertThat(
            eval(
                    p,
                    facts("vm"),
                    History.NONE,
                    Instant.parse("2024-05-05T01:30:00Z"),
                    Trigger.SCHEDULE)
                .run())
        .isTrue();
    Decision closed =
        eval(p, facts("vm"), History.NONE, Instant.parse("2024-05-05T02:00:00Z"), Trigger.SCHEDULE);
    assertThat(closed.run()).isFalse();
    assertThat(closed.reason())
        .isEqualTo(
            "outside the maintenance windows [Sat 22:00-02:00] (next opens"
                + " 2024-05-11T22:00Z[UTC])");
    assertThat(
            eval(
                    p,
                    facts("vm"),
                    History.NONE,
                    Instant.parse("2024-05-04T21:59:59Z"),
                    Trigger.SCHEDULE)
                .run())
        .isFalse();
  }

  @Test
  void windowsInTheRulesZone() {
    // Sun 02:00-05:00 in New York (EDT, UTC-4 in May) is 06:00-09:00 UTC
    Policy p =
        rule(
            "0 * * ? * *",
            null,
            new PolicyAction.Fstrim(0),
            Duration.ZERO,
            List.of(MaintenanceWindow.parse("Sun 02:00-05:00")),
            ZoneId.of("America/New_York"));
    assertThat(
            eval(
                    p,
                    facts("vm"),
                    History.NONE,
                    Instant.parse("2024-05-05T03:30:00Z"),
                    Trigger.SCHEDULE)
                .run())
        .isFalse();
    assertThat(
            eval(
                    p,
                    facts("vm"),
                    History.NONE,
                    Instant.parse("2024-05-05T06:30:00Z"),
                    Trigger.SCHEDULE)
                .run())
        .isTrue();
    // the default zone of policy_defaults applies when the rule has none
    Policy utc =
        rule(
            "0 * * ? * *",
            null,
            new PolicyAction.Fstrim(0),
            Duration.ZERO,
            List.of(MaintenanceWindow.parse("Sun 02:00-05:00")),
            null);
    assertThat(
            Rules.evaluate(
                    utc,
                    new PolicyDefaults(2, ZoneId.of("Asia/Tokyo")),
                    facts("vm"),
                    History.NONE,
                    Instant.parse("2024-05-04T18:30:00Z"),
                    Trigger.SCHEDULE)
                .run())
        .isTrue();
  }

  @Test
  void frozenDomainsWaitAndDownAgentsAreSkipped() {
    Policy p = trimRule("0 0 3 ? * SUN", null);
    DomainFacts frozen = new DomainFacts("vm", "debian", CAPS, true, true, null, null, Map.of());
    Decision d = eval(p, frozen, History.NONE, NOW, Trigger.SCHEDULE);
    assertThat(d.run()).isFalse();
    assertThat(d.retryWhenThawed()).isTrue();
    assertThat(eval(p, frozen, History.NONE, NOW, Trigger.MANUAL).run()).isFalse();
    DomainFacts down = new DomainFacts("vm", "debian", CAPS, false, false, null, null, Map.of());
    assertThat(eval(p, down, History.NONE, NOW, Trigger.SCHEDULE).reason())
        .isEqualTo("the agent is not responding");
  }

  @Test
  void jitterIsStableAndWithinBounds() {
    Duration jitter = Duration.ofMinutes(30);
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int i = 0; i < 50; i++) {
      Duration d = Rules.jitterDelay("weekly-trim", "vm-" + i, jitter);
      assertThat(d).isBetween(Duration.ZERO, jitter.minusMillis(1));
      assertThat(Rules.jitterDelay("weekly-trim", "vm-" + i, jitter)).isEqualTo(d);
      seen.add(d.toMinutes());
    }
    assertThat(seen.size()).as("50 domains spread over 30 minutes").isGreaterThan(15);
    assertThat(Rules.jitterDelay("p", "vm", Duration.ZERO)).isZero();
  }

  @Test
  void nextFireInTheRulesZone() {
    // Sunday 03:00 in Berlin (CEST, UTC+2) is 01:00 UTC
    assertThat(
            Rules.nextFire(
                "0 0 3 ? * SUN", ZoneId.of("Europe/Berlin"), Instant.parse("2024-05-01T00:00:00Z")))
        .contains(Instant.parse("2024-05-05T01:00:00Z"));
  }
}
