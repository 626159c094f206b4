package io.qga.exporter.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qga.sim.SimulatedGuest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActionExecutorTest {
  @TempDir Path dir;
  final TestDomains domains = new TestDomains();

  ActionExecutor open(Map<String, Integer> limits) throws Exception {
    return ActionExecutor.open(dir, domains, Clock.systemUTC(), limits);
  }

  static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within 20 s");
      }
      Thread.sleep(5);
    }
  }

  @Test
  void aSecondActionOnABusyDomainFailsFastOrWaitsItsTurn() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    FakeChannel channel = new FakeChannel("vm").gate(gate);
    domains.add("vm", channel);
    try (ActionExecutor ex = open(Map.of())) {
      Job first = ex.submit(ActionRequest.of("vm", new Fstrim(0L), Origin.api("a")));
      await(() -> channel.count("guest-fstrim") == 1);
      assertThatThrownBy(
              () ->
                  ex.submit(
                      ActionRequest.of("vm", TimeSync.host(), Origin.api("b"))
                          .withWhenBusy(ActionRequest.WhenBusy.FAIL)))
          .isInstanceOf(ActionBusyException.class)
          .hasMessageContaining("busy with fstrim")
          .satisfies(e -> assertThat(((ActionBusyException) e).busyJob()).isEqualTo(first.id()));
      Job second = ex.submit(ActionRequest.of("vm", new Fstrim(0L), Origin.api("c")));
      assertThat(second.state()).isEqualTo(Job.State.QUEUED);
      assertThat(ex.active()).containsExactly(first, second);
      gate.countDown();
      assertThat(second.result().get(20, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.SUCCEEDED);
      assertThat(first.record())
          .get()
          .extracting(ActionRecord::outcome)
          .isEqualTo(Outcome.SUCCEEDED);
      assertThat(ex.job(first.id())).contains(first);
    }
  }

  @Test
  void fiftyMatchingDomainsNeverExceedTheHostLimitNorThePolicyLimit() throws Exception {
    AtomicInteger inProgress = new AtomicInteger();
    AtomicInteger max = new AtomicInteger();
    CountDownLatch gate = new CountDownLatch(1);
    for (int i = 0; i < 50; i++) {
      domains.add("vm-" + i, new FakeChannel("vm-" + i, inProgress, max).gate(gate));
    }
    try (ActionExecutor ex = open(Map.of("fstrim", 3))) {
      List<CompletableFuture<ActionRecord>> results = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        ActionRequest r =
            ActionRequest.of("vm-" + i, new Fstrim(0L), Origin.policy("trim", "schedule"))
                .withLimit(new ActionRequest.Limit("policy:trim", i % 2 == 0 ? 2 : 50));
        results.add(ex.submit(r).result());
      }
      await(() -> inProgress.get() == 3);
      // the gate holds three; nothing else may start while they hold
      Thread.sleep(100);
      assertThat(ex.running("fstrim")).isEqualTo(3);
      gate.countDown();
      for (CompletableFuture<ActionRecord> f : results) {
        assertThat(f.get(20, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.SUCCEEDED);
      }
      assertThat(max.get()).isEqualTo(3);
      assertThat(ex.running("fstrim")).isZero();
      for (int i = 0; i < 50; i++) {
        assertThat(ex.state().lastRun("trim", "vm-" + i)).isPresent();
        assertThat(ex.state().lastSuccess("vm-" + i, "fstrim")).isPresent();
      }
    }
    int[] skipped = {0};
    assertThat(AuditLogTest.readAll(dir.resolve(AuditLog.FILE), skipped)).hasSize(50);
  }

  @Test
  void aRequestLimitAloneIsHonoured() throws Exception {
    AtomicInteger inProgress = new AtomicInteger();
    AtomicInteger max = new AtomicInteger();
    CountDownLatch gate = new CountDownLatch(1);
    for (int i = 0; i < 10; i++) {
      domains.add("vm-" + i, new FakeChannel("vm-" + i, inProgress, max).gate(gate));
    }
    try (ActionExecutor ex = open(Map.of())) {
      List<CompletableFuture<ActionRecord>> results = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        results.add(
            ex.submit(
                    ActionRequest.of("vm-" + i, new Fstrim(0L), Origin.policy("p", "schedule"))
                        .withLimit(new ActionRequest.Limit("policy:p", 2)))
                .result());
      }
      await(() -> inProgress.get() == 2);
      Thread.sleep(100);
      assertThat(inProgress.get()).isEqualTo(2);
      gate.countDown();
      for (CompletableFuture<ActionRecord> f : results) {
        f.get(20, TimeUnit.SECONDS);
      }
      assertThat(max.get()).isEqualTo(2);
    }
  }

  @Test
  void neverRunsOnAFrozenDomain() throws Exception {
    try (SimHarness sim = new SimHarness();
        ActionExecutor ex = ActionExecutor.open(dir, sim.domains, Clock.systemUTC(), Map.of())) {
      SimulatedGuest guest = SimulatedGuest.builder("vm").build();
      TestDomains.TestDomain vm = sim.add(guest);
      vm.agent().fsfreezeFreeze();
      assertThat(guest.frozen()).isTrue();
      try {
        ActionRecord r =
            ex.submit(ActionRequest.of("vm", new Fstrim(0L), Origin.api("a")))
                .result()
                .get(20, TimeUnit.SECONDS);
        assertThat(r.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(r.error()).isEqualTo("filesystems are frozen (guest-fsfreeze-status)");
        assertThat(guest.commandCount("guest-fstrim")).isZero();

        vm.setState(true, true); // the poller saw it frozen: fail-fast callers hear at once
        assertThatThrownBy(
                () ->
                    ex.submit(
                        ActionRequest.of("vm", new Fstrim(0L), Origin.api("a"))
                            .withWhenBusy(ActionRequest.WhenBusy.FAIL)))
            .isInstanceOf(DomainFrozenException.class);
      } finally {
        vm.agent().fsfreezeThaw();
      }
    }
  }

  @Test
  void aDryRunChangesNothingButIsAudited() throws Exception {
    FakeChannel channel = new FakeChannel("vm");
    domains.add("vm", channel);
    try (ActionExecutor ex = open(Map.of())) {
      ActionRecord r =
          ex.submit(
                  ActionRequest.of("vm", TimeSync.host(), Origin.policy("clock", "condition"))
                      .withDryRun(true)
                      .withReason("time offset 30.000 s is above 1s"))
              .result()
              .get(20, TimeUnit.SECONDS);
      assertThat(r.outcome()).isEqualTo(Outcome.DRY_RUN);
      assertThat(channel.commands()).isEmpty();
      assertThat(ex.state().lastSuccess("vm", "time_sync")).isEmpty();
      // a dry_run rule's run counts for its cooldown, so it is not audited on every poll
      assertThat(ex.state().lastRun("clock", "vm")).isPresent();
    }
    int[] skipped = {0};
    var lines = AuditLogTest.readAll(dir.resolve(AuditLog.FILE), skipped);
    assertThat(lines)
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.get("dry_run").asBoolean()).isTrue();
              assertThat(n.get("result").asText()).isEqualTo("dry_run");
              assertThat(n.get("reason").asText()).isEqualTo("time offset 30.000 s is above 1s");
              assertThat(n.get("arguments").get("source").asText()).isEqualTo("host");
            });
  }

  @Test
  void agentFailuresAreRecordedAsFailures() throws Exception {
    FakeChannel channel = new FakeChannel("vm").reply("guest-fstrim", null);
    domains.add("vm", channel);
    try (ActionExecutor ex = open(Map.of())) {
      ActionRecord r =
          ex.submit(ActionRequest.of("vm", new Fstrim(0L), Origin.api("a")))
              .result()
              .get(20, TimeUnit.SECONDS);
      assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
      assertThat(r.error()).startsWith("the agent does not support guest-fstrim");
      assertThat(ex.state().lastSuccess("vm", "fstrim")).isEmpty();
    }
  }

  @Test
  void unknownDomainsAreRejected() throws Exception {
    try (ActionExecutor ex = open(Map.of())) {
      assertThatThrownBy(() -> ex.submit(ActionRequest.of("nope", new Fstrim(0L), Origin.api("a"))))
          .isInstanceOf(UnknownDomainException.class)
          .hasMessage("unknown domain: nope");
    }
  }

  @Test
  void closingSkipsQueuedJobsAndAuditsThem() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    domains.add("vm", new FakeChannel("vm").gate(gate));
    ActionExecutor ex = open(Map.of());
    Job running = ex.submit(ActionRequest.of("vm", new Fstrim(0L), Origin.api("a")));
    Job queued = ex.submit(ActionRequest.of("vm", new Fstrim(0L), Origin.api("a")));
    await(() -> running.state() == Job.State.RUNNING);
    Thread t = new Thread(ex::close);
    t.start();
    assertThat(queued.result().get(20, TimeUnit.SECONDS).error())
        .isEqualTo("the exporter stopped before the action started");
    gate.countDown();
    t.join(Duration.ofSeconds(20).toMillis());
    assertThat(running.result().get(1, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.SUCCEEDED);
  }
}
