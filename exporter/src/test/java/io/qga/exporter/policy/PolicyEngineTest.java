package io.qga.exporter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.qga.collectors.CollectContext;
import io.qga.collectors.Collectors;
import io.qga.collectors.DomainSamples;
import io.qga.collectors.Limits;
import io.qga.exporter.action.ActionExecutor;
import io.qga.exporter.action.AuditLog;
import io.qga.exporter.action.FakeChannel;
import io.qga.exporter.action.SimHarness;
import io.qga.exporter.action.TestDomains;
import io.qga.exporter.config.Policy;
import io.qga.exporter.config.PolicyAction;
import io.qga.exporter.config.PolicyConditions;
import io.qga.exporter.config.PolicyDefaults;
import io.qga.exporter.config.PolicyMatch;
import io.qga.exporter.runtime.DomainListener;
import io.qga.sim.SimulatedGuest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyEngineTest {
  @TempDir Path stateDir;
  static final PolicyDefaults DEFAULTS = PolicyDefaults.DEFAULT;

  static Policy clockRule(boolean dryRun) {
    return new Policy(
        "clock-drift",
        PolicyMatch.ALL,
        Optional.empty(),
        Optional.of(
            new PolicyConditions(
                Optional.of(Duration.ofSeconds(1)),
                OptionalDouble.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty())),
        new PolicyAction.TimeSync(PolicyAction.TimeSource.HOST, Duration.ofHours(1)),
        Duration.ofMinutes(10),
        dryRun,
        OptionalInt.empty(),
        List.of(),
        Optional.empty(),
        Duration.ZERO);
  }

  static Policy weeklyTrim(String schedule) {
    return new Policy(
        "weekly-trim",
        PolicyMatch.ALL,
        Optional.ofNullable(schedule),
        schedule != null
            ? Optional.empty()
            : Optional.of(
                new PolicyConditions(
                    Optional.empty(),
                    OptionalDouble.empty(),
                    Optional.of(Duration.ofDays(7)),
                    Optional.empty(),
                    Optional.empty())),
        new PolicyAction.Fstrim(0),
        Duration.ofHours(1),
        false,
        OptionalInt.empty(),
        List.of(),
        Optional.empty(),
        Duration.ZERO);
  }

  static void await(BooleanSupplier condition, Duration within) throws InterruptedException {
    long end = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within " + within);
      }
      Thread.sleep(5);
    }
  }

  /** What the poller does for the time collector: poll, cache, tell listeners. */
  static void pollTime(TestDomains domains, String name) {
    TestDomains.TestDomain d = domains.get(name);
    DomainSamples.Builder b = DomainSamples.builder(Limits.DEFAULT);
    Collectors.byName("time").orElseThrow().collect(d.agent(), CollectContext.defaults(), b);
    DomainSamples samples = b.build();
    d.setSamples("time", samples);
    for (DomainListener l : domains.listeners()) {
      l.onCollected(d, "time", samples);
    }
  }

  static List<JsonNode> audit(Path stateDir, int[] skipped) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    skipped[0] = AuditLog.read(stateDir.resolve(AuditLog.FILE), out::add);
    // the finished runs; each also has a "started" line written before it touched the guest
    out.removeIf(n -> n.path("result").asText().equals(ActionExecutor.STARTED));
    return out;
  }

  @Test
  void aGuest30SecondsOffIsCorrectedWithinOnePollIntervalPlusTheActionTime() throws Exception {
    Duration pollInterval = Duration.ofMillis(200);
    try (SimHarness sim = new SimHarness();
        ActionExecutor executor =
            ActionExecutor.open(
                stateDir, sim.domains, Clock.systemUTC(), PolicyEngine.actionLimits(DEFAULTS));
        PolicyEngine engine =
            new PolicyEngine(List.of(clockRule(false)), DEFAULTS, sim.domains, executor)) {
      SimulatedGuest guest = SimulatedGuest.builder("vm").build();
      sim.add(guest).agent().capabilities();
      engine.start();
      guest.setClockOffset(Duration.ofSeconds(30));
      long start = System.nanoTime();
      Thread poller =
          new Thread(
              () -> {
                while (!Thread.currentThread().isInterrupted()) {
                  try {
                    pollTime(sim.domains, "vm");
                    Thread.sleep(pollInterval.toMillis());
                  } catch (InterruptedException e) {
                    return;
                  } catch (RuntimeException e) {
                    // a poll failed: the next one tries again
                  }
                }
              });
      poller.start();
      try {
        // one poll interval, plus the action (3 agent round trips) with a generous margin for CI
        await(() -> Math.abs(guest.clockOffset().toMillis()) < 500, pollInterval.plusSeconds(3));
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .isLessThan(pollInterval.plusSeconds(3));
        // later polls see a correct clock; the cooldown and the fresh offset prevent reruns
        Thread.sleep(pollInterval.multipliedBy(3).toMillis());
      } finally {
        poller.interrupt();
        poller.join(5000);
      }
      engine.awaitIdle();
      int[] skipped = {0};
      List<JsonNode> records = audit(stateDir, skipped);
      assertThat(records)
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.get("action").asText()).isEqualTo("time_sync");
                assertThat(r.get("origin").asText()).isEqualTo("clock-drift");
                assertThat(r.get("trigger").asText()).isEqualTo("condition");
                assertThat(r.get("result").asText()).isEqualTo("succeeded");
                assertThat(r.get("reason").asText())
                    .matches("time offset (29|30)\\.\\d{3} s is above 1s");
                assertThat(r.get("details").get("offset_before_seconds").asDouble())
                    .isBetween(29.0, 31.0);
                assertThat(Math.abs(r.get("details").get("offset_after_seconds").asDouble()))
                    .isLessThan(0.5);
              });
    }
  }

  @Test
  void aDryRunRuleChangesNothingButIsAuditedOnce() throws Exception {
    try (SimHarness sim = new SimHarness();
        ActionExecutor executor =
            ActionExecutor.open(
                stateDir, sim.domains, Clock.systemUTC(), PolicyEngine.actionLimits(DEFAULTS));
        PolicyEngine engine =
            new PolicyEngine(List.of(clockRule(true)), DEFAULTS, sim.domains, executor)) {
      SimulatedGuest guest = SimulatedGuest.builder("vm").build();
      sim.add(guest).agent().capabilities();
      engine.start();
      guest.setClockOffset(Duration.ofSeconds(30));
      pollTime(sim.domains, "vm");
      engine.awaitIdle();
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
      pollTime(sim.domains, "vm"); // within the cooldown: not audited again
      engine.awaitIdle();
      executor.close();
      List<JsonNode> records = audit(stateDir, skipped);
      assertThat(records)
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.get("dry_run").asBoolean()).isTrue();
                assertThat(r.get("result").asText()).isEqualTo("dry_run");
              });
      assertThat(guest.commandCount("guest-set-time")).isZero();
      assertThat(guest.clockOffset().toMillis()).isBetween(29_000L, 31_000L);
    }
  }

  @Test
  void aPreviewSaysWhatWouldHappenToWhichDomainAndWhy() throws Exception {
    TestDomains domains = new TestDomains();
    for (String name : List.of("web-1", "web-2", "db-1")) {
      domains.add(name, new FakeChannel(name)).agent().capabilities();
    }
    domains.get("web-2").setState(false, false);
    Policy rule =
        new Policy(
            "web-trim",
            new PolicyMatch(List.of("web-*"), List.of(), true),
            Optional.of("0 0 3 ? * SUN"),
            Optional.empty(),
            new PolicyAction.Fstrim(0),
            Duration.ofHours(1),
            false,
            OptionalInt.empty(),
            List.of(),
            Optional.empty(),
            Duration.ZERO);
    try (ActionExecutor executor =
            ActionExecutor.open(
                stateDir, domains, Clock.systemUTC(), PolicyEngine.actionLimits(DEFAULTS));
        PolicyEngine engine = new PolicyEngine(List.of(rule), DEFAULTS, domains, executor)) {
      Plan plan = engine.dryRun("web-trim");
      assertThat(plan.dryRun()).isTrue();
      assertThat(plan.domains())
          .extracting(s -> s.domain() + ": " + s.decision())
          .containsExactly(
              "web-1: run: would run when schedule 0 0 3 ? * SUN fires",
              "web-2: skip: the agent is not responding");
      String job = plan.domains().get(0).job();
      assertThat(
              executor
                  .job(job)
                  .orElseThrow()
                  .result()
                  .get(10, TimeUnit.SECONDS)
                  .toJson()
                  .get("trigger")
                  .asText())
          .isEqualTo("preview");
      assertThat(((FakeChannel) domains.get("web-1").agent().channel()).count("guest-fstrim"))
          .isZero();
      // a preview does not start a cooldown
      assertThat(executor.state().lastRun("web-trim", "web-1")).isEmpty();
      assertThat(engine.policies())
          .singleElement()
          .satisfies(s -> assertThat(s.nextRun()).isNotNull());
      assertThat(plan.toJson().get("domains").get(0).get("reason").asText()).contains("would run");
    }
  }

  @Test
  void aScheduledRuleRunsOncePerDomainAndExportsItsNextRun() throws Exception {
    TestDomains domains = new TestDomains();
    List<FakeChannel> channels = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      FakeChannel c = new FakeChannel("vm-" + i);
      channels.add(c);
      domains.add("vm-" + i, c).agent().capabilities();
    }
    try (ActionExecutor executor =
            ActionExecutor.open(
                stateDir, domains, Clock.systemUTC(), PolicyEngine.actionLimits(DEFAULTS));
        PolicyEngine engine =
            new PolicyEngine(List.of(weeklyTrim("* * * ? * *")), DEFAULTS, domains, executor)) {
      engine.start();
      await(
          () -> channels.stream().allMatch(c -> c.count("guest-fstrim") == 1),
          Duration.ofSeconds(10));
      Thread.sleep(2500); // two more fire times pass: the 1h cooldown holds
      assertThat(channels).allSatisfy(c -> assertThat(c.count("guest-fstrim")).isEqualTo(1));
      assertThat(engine.nextRuns()).containsKey("weekly-trim");
      assertThat(ActionMetricsText.of(executor))
          .contains("qga_policy_next_run_timestamp_seconds{policy=\"weekly-trim\"}");
    }
  }

  @Test
  void restartInTheMiddleOfARunKeepsTheAuditValidAndPreventsADoubleRun() throws Exception {
    TestDomains domains = new TestDomains();
    CountDownLatch gate = new CountDownLatch(1);
    String now = String.valueOf(System.currentTimeMillis() * 1_000_000L);
    FakeChannel channel = new FakeChannel("vm").gate(gate).reply("guest-get-time", now);
    domains.add("vm", channel).agent().capabilities();
    List<Policy> rules = List.of(weeklyTrim(null));
    ActionExecutor before =
        ActionExecutor.open(
            stateDir, domains, Clock.systemUTC(), PolicyEngine.actionLimits(DEFAULTS));
    PolicyEngine engineBefore = new PolicyEngine(rules, DEFAULTS, domains, before);
    try {
      // an earlier, complete record
      before.audit().append(AuditLine.success("other", "fstrim"));
      engineBefore.start();
      pollTime(domains, "vm");
      engineBefore.awaitIdle();
      await(() -> channel.count("guest-fstrim") == 1, Duration.ofSeconds(10));
      // the process dies while fstrim runs and while some record was being written
      Files.writeString(
          stateDir.resolve(AuditLog.FILE),
          "{\"timestamp\":\"2024-05-05T0",
          StandardCharsets.US_ASCII,
          StandardOpenOption.APPEND);
      engineBefore.close();

      TestDomains afterDomains = new TestDomains();
      FakeChannel afterChannel = new FakeChannel("vm").reply("guest-get-time", now);
      afterDomains.add("vm", afterChannel).agent().capabilities();
      try (ActionExecutor after =
              ActionExecutor.open(
                  stateDir, afterDomains, Clock.systemUTC(), PolicyEngine.actionLimits(DEFAULTS));
          PolicyEngine engineAfter = new PolicyEngine(rules, DEFAULTS, afterDomains, after)) {
        engineAfter.start();
        assertThat(engineAfter.dryRun("weekly-trim").domains())
            .singleElement()
            .satisfies(s -> assertThat(s.decision().reason()).startsWith("cooldown 1h until"));
        pollTime(afterDomains, "vm");
        engineAfter.awaitIdle();
        after.audit().append(AuditLine.success("other-2", "fstrim"));
        assertThat(afterChannel.count("guest-fstrim")).isZero();
      }
    } finally {
      gate.countDown();
      before.close();
    }
    int[] skipped = {0};
    List<JsonNode> records = audit(stateDir, skipped);
    assertThat(skipped[0]).isZero(); // the torn line was cut when the log was opened again
    assertThat(records)
        .extracting(r -> r.get("domain").asText() + " " + r.get("result").asText())
        // the interrupted run finishes late (the old process's record); the new one never ran
        .containsExactlyInAnyOrder("other succeeded", "other-2 succeeded", "vm succeeded");
    assertThat(Files.readString(stateDir.resolve(AuditLog.FILE))).endsWith("\n");
  }
}
