package io.qga.exporter.action;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.sim.SimulatedGuest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimeSyncTest {
  @TempDir Path dir;

  ActionRecord run(SimHarness sim, TimeSync action) throws Exception {
    try (ActionExecutor ex = ActionExecutor.open(dir, sim.domains, Clock.systemUTC(), Map.of())) {
      return ex.submit(ActionRequest.of("vm", action, Origin.policy("clock", "condition")))
          .result()
          .get(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void hostSourceSetsAGuest30SecondsOffToTheHostClock() throws Exception {
    try (SimHarness sim = new SimHarness()) {
      SimulatedGuest guest = SimulatedGuest.builder("vm").build();
      guest.setClockOffset(Duration.ofSeconds(30));
      sim.add(guest);
      ActionRecord r = run(sim, new TimeSync(TimeSync.Source.HOST, Duration.ofMinutes(1)));
      assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
      TimeSync.Report d = (TimeSync.Report) r.details();
      assertThat(d.before().offsetNanos() / 1e9)
          .isCloseTo(30, org.assertj.core.data.Offset.offset(0.5));
      assertThat(Math.abs(d.after().offsetNanos()) / 1e9).isLessThan(0.5);
      assertThat(d.stepExceedsMaxStep()).isFalse();
      assertThat(r.warnings()).isEmpty();
      assertThat(Math.abs(guest.clockOffset().toMillis())).isLessThan(500);
      assertThat(guest.lastSetTime().time()).isPresent();
    }
  }

  @Test
  void aStepLargerThanMaxStepIsMadeButRecordedLoudly() throws Exception {
    try (SimHarness sim = new SimHarness()) {
      SimulatedGuest guest = SimulatedGuest.builder("vm").build();
      guest.setClockOffset(Duration.ofHours(-2));
      sim.add(guest);
      ActionRecord r = run(sim, new TimeSync(TimeSync.Source.HOST, Duration.ofMinutes(1)));
      assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
      assertThat(((TimeSync.Report) r.details()).stepExceedsMaxStep()).isTrue();
      assertThat(r.toJson().get("details").get("step_exceeds_max_step").asBoolean()).isTrue();
      // the step is 2 h give or take the round trip: match the number, not its last digits
      assertThat(r.warnings())
          .singleElement()
          .asString()
          .matches("time_sync stepped the guest clock by (7199\\.9|7200\\.0)\\d* s.*")
          .contains("more than max_step 60.000 s");
    }
  }

  @Test
  void rtcSourceLetsTheGuestReadItsHardwareClock() throws Exception {
    try (SimHarness sim = new SimHarness()) {
      SimulatedGuest guest = SimulatedGuest.builder("vm").rtcOffset(Duration.ZERO).build();
      guest.setClockOffset(Duration.ofSeconds(30));
      sim.add(guest);
      ActionRecord r = run(sim, new TimeSync(TimeSync.Source.RTC, null));
      assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
      assertThat(guest.lastSetTime().time()).isEmpty();
      TimeSync.Report d = (TimeSync.Report) r.details();
      assertThat(d.source()).isEqualTo(TimeSync.Source.RTC);
      assertThat(Math.abs(d.after().offsetNanos()) / 1e9).isLessThan(1);
      assertThat(r.toJson().get("details").has("max_step_seconds")).isFalse();
    }
  }
}
