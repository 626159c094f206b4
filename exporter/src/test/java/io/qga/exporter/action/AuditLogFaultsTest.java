package io.qga.exporter.action;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log fails closed, against real files: a full disk (real tmpfs) refuses the action and
 * counts the failure, a write torn by the full disk is cut before the next record, and a rotation
 * that fails keeps the log writable.
 */
class AuditLogFaultsTest {
  @TempDir Path tmp;

  @Test
  void anActionThatCannotBeAuditedIsNotRunAndTheLogStaysWholeLines() throws Exception {
    RealMounts.requireRoot("a full state_dir (64k tmpfs)");
    TestDomains domains = new TestDomains();
    FakeChannel channel = new FakeChannel("vm");
    domains.add("vm", channel);
    try (RealMounts mounts = new RealMounts()) {
      Path stateDir = mounts.tmpfs(tmp.resolve("state"), "64k");
      try (ActionExecutor ex =
          ActionExecutor.open(stateDir, domains, Clock.systemUTC(), Map.of())) {
        Path log = stateDir.resolve(AuditLog.FILE);
        assertThat(run(ex).outcome()).isEqualTo(Outcome.SUCCEEDED);
        List<String> before = Files.readAllLines(log);
        assertThat(before).hasSize(2); // started, succeeded
        long trims = channel.count("guest-fstrim");

        // The next line must cross into a page the full disk cannot give: its first bytes fit
        // in the last page of the file, the rest does not (a torn write, as a real full disk).
        padToPageEnd(ex.audit(), 100);
        List<String> padded = Files.readAllLines(log);
        Path filler = RealMounts.fill(stateDir);

        Job job = ex.submit(ActionRequest.of("vm", new Fstrim(0L), Origin.api("ops")));
        ActionRecord r = job.result().get(20, TimeUnit.SECONDS);
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.error()).startsWith("not run: cannot write the audit log " + log);
        assertThat(job.auditFailure())
            .get()
            .asString()
            .contains("No space left on device")
            .endsWith("the action was not run");
        assertThat(channel.count("guest-fstrim")).as("fstrim sent unaudited").isEqualTo(trims);
        assertThat(metrics(ex)).contains("qga_audit_write_failures_total 2.0");
        assertThat(Files.readString(log)).as("no torn line left behind").endsWith("\n");
        assertThat(Files.readAllLines(log)).isEqualTo(padded);

        // room again: the next record is a whole line of its own, nothing earlier is lost
        Files.delete(filler);
        assertThat(run(ex).outcome()).isEqualTo(Outcome.SUCCEEDED);
        List<String> after = Files.readAllLines(log);
        assertThat(after.subList(0, padded.size())).isEqualTo(padded);
        assertThat(after).hasSize(padded.size() + 2);
        for (String line : after) {
          assertThat(AuditLog.JSON.readTree(line).isObject()).as(line).isTrue();
        }
        assertThat(AuditLog.JSON.readTree(after.get(after.size() - 2)).path("result").asText())
            .isEqualTo(ActionExecutor.STARTED);
        assertThat(AuditLog.JSON.readTree(after.get(after.size() - 1)).path("result").asText())
            .isEqualTo("succeeded");
        assertThat(AuditLog.read(log, n -> {})).as("lines skipped on reading").isZero();
      }
    }
  }

  @Test
  void aRunWhoseFinalRecordCannotBeWrittenIsNotReportedAsPlainSuccess() throws Exception {
    RealMounts.requireRoot("a full state_dir (64k tmpfs)");
    TestDomains domains = new TestDomains();
    FakeChannel channel = new FakeChannel("vm");
    domains.add("vm", channel);
    try (RealMounts mounts = new RealMounts()) {
      Path stateDir = mounts.tmpfs(tmp.resolve("state"), "64k");
      try (ActionExecutor ex =
          ActionExecutor.open(stateDir, domains, Clock.systemUTC(), Map.of())) {
        Path log = stateDir.resolve(AuditLog.FILE);
        assertThat(run(ex).outcome()).isEqualTo(Outcome.SUCCEEDED);
        List<String> lines = Files.readAllLines(log);
        int started = lines.get(0).length() + 1;
        int finished = lines.get(1).length() + 1;
        // room for the next "started" line but not for the record after the run
        padToPageEnd(ex.audit(), started + (finished - started) / 2);
        Path filler = RealMounts.fill(stateDir);

        Job job = ex.submit(ActionRequest.of("vm", new Fstrim(0L), Origin.api("ops")));
        ActionRecord r = job.result().get(20, TimeUnit.SECONDS);
        assertThat(channel.count("guest-fstrim")).as("the audited start let it run").isEqualTo(2);
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(job.auditFailure())
            .get()
            .asString()
            .startsWith(
                "fstrim ended succeeded but its audit record could not be written to " + log)
            .contains("No space left on device");
        assertThat(metrics(ex)).contains("qga_audit_write_failures_total 1.0");
        List<String> after = Files.readAllLines(log);
        assertThat(AuditLog.JSON.readTree(after.get(after.size() - 1)).path("result").asText())
            .as("the started line is on disk, whole")
            .isEqualTo(ActionExecutor.STARTED);
        assertThat(Files.readString(log)).endsWith("\n");
        Files.delete(filler);
      }
    }
  }

  @Test
  void aTornTailIsCutWhenTheLogIsOpenedAndEveryCompleteRecordKept() throws Exception {
    Path file = tmp.resolve(AuditLog.FILE);
    try (AuditLog log = AuditLog.open(file)) {
      log.append(line(1));
      log.append(line(2));
    }
    String whole = Files.readString(file);
    Files.writeString(file, whole + "{\"timestamp\": \"2024-05-05T03:0", StandardCharsets.US_ASCII);
    try (AuditLog log = AuditLog.open(file)) {
      assertThat(Files.readString(file)).isEqualTo(whole);
      log.append(line(3));
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(3);
    for (String l : lines) {
      assertThat(AuditLog.JSON.readTree(l).isObject()).as(l).isTrue();
    }
  }

  @Test
  void aRotationThatFailsKeepsTheLogWritableAndRetries() throws Exception {
    Path file = tmp.resolve(AuditLog.FILE);
    // the rotated name is taken by a directory: every rename onto it fails
    Path rotated = Files.createDirectories(tmp.resolve(AuditLog.FILE + ".1"));
    Files.writeString(rotated.resolve("keep"), "x");
    try (AuditLog log = AuditLog.open(file, 1024)) {
      for (int i = 0; i < 20; i++) {
        log.append(line(i)); // none throws
      }
      assertThat(Files.readAllLines(file)).hasSize(20);
      assertThat(log.writeFailures()).isZero();

      // the obstacle goes: the next append rotates
      Files.delete(rotated.resolve("keep"));
      Files.delete(rotated);
      log.append(line(20));
      assertThat(Files.readAllLines(rotated)).hasSize(20);
      assertThat(Files.readAllLines(file)).hasSize(1);
    }
    List<JsonNode> all = new ArrayList<>();
    AuditLog.read(file, all::add);
    assertThat(all)
        .extracting(n -> n.path("n").asInt())
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20);
  }

  private static ActionRecord run(ActionExecutor ex) throws Exception {
    return ex.submit(ActionRequest.of("vm", new Fstrim(0L), Origin.api("ops")))
        .result()
        .get(20, TimeUnit.SECONDS);
  }

  private static ObjectNode line(int n) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("n", n);
    o.put("what", "a record of some length to fill the log");
    return o;
  }

  /** Appends a padding record so the file ends {@code room} bytes before a 4 KiB page boundary. */
  private static void padToPageEnd(AuditLog log, int room) throws Exception {
    long size = Files.size(log.file());
    long want = (size / 4096 + 1) * 4096 - room;
    long add = want - size;
    if (add < 20) {
      add += 4096;
    }
    ObjectNode pad = JsonNodeFactory.instance.objectNode();
    // {"pad":"xxx"}\n is 11 bytes plus the x's
    pad.put("pad", "x".repeat((int) (add - 11)));
    log.append(pad);
    assertThat(Files.size(log.file()) % 4096).isEqualTo(4096 - room);
  }

  private static String metrics(ActionExecutor ex) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, ex.metrics().collect());
    return out.toString(StandardCharsets.UTF_8);
  }
}
