package io.qga.exporter.action;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActionStateTest {
  @TempDir Path dir;
  static final Instant T = Instant.parse("2024-05-05T03:00:00Z");

  @Test
  void savedAtomicallyAndReloaded() throws Exception {
    ActionState state = ActionState.load(dir);
    state.recordSuccess("web-1", "fstrim", T);
    state.recordRun("weekly-trim", "web-1", T.minusSeconds(5));
    state.save();
    assertThat(dir.resolve("state.json")).exists();
    assertThat(dir.resolve("state.json.tmp")).doesNotExist();

    ActionState again = ActionState.load(dir);
    assertThat(again.lastSuccess("web-1", "fstrim")).contains(T);
    assertThat(again.lastRun("weekly-trim", "web-1")).contains(T.minusSeconds(5));
    assertThat(again.lastSuccess("web-1", "time_sync")).isEmpty();
  }

  @Test
  void theAuditLogWinsWhenTheStateWriteWasLost() throws Exception {
    // crash after the audit record was forced but before state.json was written
    try (AuditLog log = AuditLog.open(dir.resolve(AuditLog.FILE))) {
      log.append(AuditLogTest.record("web-1", Outcome.SUCCEEDED, T));
      log.append(AuditLogTest.record("web-2", Outcome.FAILED, T));
    }
    ActionState state = ActionState.load(dir);
    assertThat(state.lastSuccess("web-1", "fstrim")).contains(T);
    assertThat(state.lastRun("weekly-trim", "web-1")).contains(T.minusSeconds(1));
    // a failure is a run (cooldown) but not a success
    assertThat(state.lastSuccess("web-2", "fstrim")).isEmpty();
    assertThat(state.lastRun("weekly-trim", "web-2")).isPresent();
  }

  @Test
  void previewsAndDryRunsAreNotSuccesses() throws Exception {
    ActionState state = ActionState.inMemory();
    state.replay(
        new ActionRecord(
            "j",
            T,
            T,
            "web-1",
            "fstrim",
            null,
            Origin.policy("p", "preview"),
            true,
            Outcome.DRY_RUN,
            null,
            null,
            null,
            null));
    assertThat(state.lastSuccess("web-1", "fstrim")).isEmpty();
    assertThat(state.lastRun("p", "web-1")).isEmpty();
    state.replay(
        new ActionRecord(
            "j",
            T,
            T,
            "web-1",
            "fstrim",
            null,
            Origin.api("ansible"),
            false,
            Outcome.SUCCEEDED,
            null,
            null,
            null,
            null));
    assertThat(state.lastSuccess("web-1", "fstrim")).contains(T);
  }

  @Test
  void aCorruptStateFileIsMovedAsideAndRebuiltFromTheAuditLog() throws Exception {
    Files.writeString(dir.resolve("state.json"), "{\"version\": 1, \"last_succ");
    try (AuditLog log = AuditLog.open(dir.resolve(AuditLog.FILE))) {
      log.append(AuditLogTest.record("web-1", Outcome.SUCCEEDED, T));
    }
    ActionState state = ActionState.load(dir);
    assertThat(dir.resolve("state.json.corrupt")).exists();
    assertThat(state.lastSuccess("web-1", "fstrim")).contains(T);
  }

  @Test
  void forgetsOldEntries() {
    ActionState state = ActionState.inMemory();
    state.recordSuccess("old", "fstrim", T.minusSeconds(1000));
    state.recordSuccess("new", "fstrim", T);
    state.forgetBefore(T.minusSeconds(10));
    assertThat(state.lastSuccesses()).containsOnlyKeys("new");
  }
}
