package io.qga.exporter.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qga.client.api.FstrimResult;
import io.qga.sim.Flavour;
import io.qga.sim.SimulatedGuest;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FstrimTest {
  @TempDir Path dir;

  static FstrimResult.Path path(String p, Long trimmed, String error) {
    return new FstrimResult.Path(p, trimmed, trimmed == null ? null : 0L, error);
  }

  @Test
  void linuxShapeRecordsBytesPerMountpoint() {
    ActionReport r =
        Fstrim.report(new FstrimResult(List.of(path("/", 1000L, null), path("/var", 24L, null))));
    assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(r.error()).isNull();
    Fstrim.Report d = (Fstrim.Report) r.details();
    assertThat(d.trimmedBytes()).isEqualTo(1024L);
    assertThat(d.toJson().toString())
        .isEqualTo(
            "{\"paths\":[{\"path\":\"/\",\"trimmed_bytes\":1000,\"minimum\":0},"
                + "{\"path\":\"/var\",\"trimmed_bytes\":24,\"minimum\":0}],\"trimmed_bytes\":1024}");
  }

  @Test
  void perPathErrorsAreRecordedAndAPartialFailureStillSucceeds() {
    ActionReport r =
        Fstrim.report(
            new FstrimResult(
                List.of(path("/", 1000L, null), path("/boot", null, "Read-only file system"))));
    assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(r.error()).isEqualTo("1 of 2 paths failed (first: /boot: Read-only file system)");
    assertThat(((Fstrim.Report) r.details()).paths())
        .extracting(Fstrim.PathResult::error)
        .containsExactly(null, "Read-only file system");
  }

  @Test
  void everyPathFailedIsAFailure() {
    ActionReport r =
        Fstrim.report(new FstrimResult(List.of(path("/", null, "Operation not supported"))));
    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
  }

  @Test
  void windowsShapeWithoutTrimmedHasNoByteCounts() {
    ActionReport r =
        Fstrim.report(
            new FstrimResult(
                List.of(
                    new FstrimResult.Path("C:\\", null, null, null),
                    new FstrimResult.Path("D:\\", null, null, "The device is not ready."))));
    assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
    Fstrim.Report d = (Fstrim.Report) r.details();
    assertThat(d.trimmedBytes()).isNull();
    assertThat(d.toJson().toString())
        .isEqualTo(
            "{\"paths\":[{\"path\":\"C:\\\\\"},{\"path\":\"D:\\\\\",\"error\":\"The device is not"
                + " ready.\"}]}");
  }

  @Test
  void boundsWhatAnUntrustedGuestSends() {
    List<FstrimResult.Path> many = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      many.add(path("/m" + i + "x".repeat(2000), 1L, null));
    }
    ActionReport r = Fstrim.report(new FstrimResult(many));
    Fstrim.Report d = (Fstrim.Report) r.details();
    assertThat(d.paths()).hasSize(Fstrim.MAX_PATHS);
    assertThat(d.droppedPaths()).isEqualTo(1000 - Fstrim.MAX_PATHS);
    assertThat(d.paths().get(0).path()).hasSize(Fstrim.MAX_TEXT);
    assertThat(r.warnings()).singleElement().asString().contains("1000 paths");
  }

  @Test
  void negativeMinimumIsRefused() {
    assertThatThrownBy(() -> new Fstrim(-1L)).hasMessageContaining("must not be negative");
  }

  @Test
  void onSimulatedLinuxAndWindowsAgentsTheAuditSaysWhatTheGuestSaid() throws Exception {
    try (SimHarness sim = new SimHarness()) {
      SimulatedGuest linux = SimulatedGuest.builder("lin").flavour(Flavour.LINUX_7_2).build();
      SimulatedGuest windows = SimulatedGuest.builder("win").flavour(Flavour.WINDOWS).build();
      sim.add(linux);
      sim.add(windows);
      String failing = firstMountpoint(sim, "lin");
      linux.setFstrimError(failing, "FITRIM: Operation not supported");
      try (ActionExecutor ex = ActionExecutor.open(dir, sim.domains, Clock.systemUTC(), Map.of())) {
        ActionRecord l =
            ex.submit(ActionRequest.of("lin", new Fstrim(0L), Origin.api("ops")))
                .result()
                .get(20, TimeUnit.SECONDS);
        ActionRecord w =
            ex.submit(ActionRequest.of("win", new Fstrim(null), Origin.api("ops")))
                .result()
                .get(20, TimeUnit.SECONDS);
        Fstrim.Report lr = (Fstrim.Report) l.details();
        assertThat(lr.paths()).anySatisfy(p -> assertThat(p.trimmed()).isNotNull());
        assertThat(lr.paths())
            .filteredOn(p -> p.path().equals(failing))
            .singleElement()
            .satisfies(p -> assertThat(p.error()).isEqualTo("FITRIM: Operation not supported"));
        assertThat(l.error()).contains(failing);
        Fstrim.Report wr = (Fstrim.Report) w.details();
        assertThat(w.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(wr.paths()).isNotEmpty().allSatisfy(p -> assertThat(p.trimmed()).isNull());
        assertThat(wr.trimmedBytes()).isNull();
      }
      int[] skipped = {0};
      assertThat(AuditLogTest.readAll(dir.resolve(AuditLog.FILE), skipped))
          .extracting(n -> n.get("domain").asText() + " " + n.get("origin").asText())
          .containsExactly("lin api:ops", "win api:ops");
    }
  }

  static String firstMountpoint(SimHarness sim, String domain) {
    return sim.domains.get(domain).agent().getFsinfo().stream()
        .map(f -> f.mountpoint())
        .filter(m -> m != null)
        .findFirst()
        .orElseThrow();
  }
}
