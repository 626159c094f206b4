package io.qga.exporter.action;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
  @TempDir Path dir;

  static ActionRecord record(String domain, Outcome outcome, Instant at) {
    return new ActionRecord(
        "job-" + domain,
        at,
        at.minusSeconds(1),
        domain,
        "fstrim",
        null,
        Origin.policy("weekly-trim", "schedule"),
        false,
        outcome,
        "schedule fired",
        null,
        null,
        List.of());
  }

  static List<JsonNode> readAll(Path file, int[] skipped) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    skipped[0] = AuditLog.read(file, out::add);
    // the finished runs; each also has a "started" line written before it touched the guest
    out.removeIf(n -> n.path("result").asText().equals(ActionExecutor.STARTED));
    return out;
  }

  @Test
  void everyRecordIsOneJsonLineOnDisk() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (AuditLog log = AuditLog.open(file)) {
      log.append(record("web-1", Outcome.SUCCEEDED, Instant.parse("2024-05-05T03:00:00Z")));
      log.append(record("web-\u00e9\n2", Outcome.FAILED, Instant.parse("2024-05-05T03:01:00Z")));
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    assertThat(lines).hasSize(2);
    // non-ASCII and control characters are escaped: one record never spans lines
    assertThat(lines.get(1)).contains("web-\\u00E9\\n2").doesNotContain("\u00e9");
    int[] skipped = {0};
    List<JsonNode> records = readAll(file, skipped);
    assertThat(skipped[0]).isZero();
    assertThat(records.get(0).get("timestamp").asText()).isEqualTo("2024-05-05T03:00:00Z");
    assertThat(records.get(0).get("origin").asText()).isEqualTo("weekly-trim");
    assertThat(records.get(0).get("dry_run").asBoolean()).isFalse();
    assertThat(records.get(0).get("result").asText()).isEqualTo("succeeded");
    assertThat(records.get(0).get("error").isNull()).isTrue();
    assertThat(records.get(1).get("domain").asText()).isEqualTo("web-\u00e9\n2");
    assertThat(ActionRecord.fromJson(records.get(1)).outcome()).isEqualTo(Outcome.FAILED);
  }

  @Test
  void aTornLastLineIsIgnoredAndNeverSwallowsTheNextRecord() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (AuditLog log = AuditLog.open(file)) {
      log.append(record("web-1", Outcome.SUCCEEDED, Instant.parse("2024-05-05T03:00:00Z")));
    }
    // a crash in the middle of the second write
    Files.writeString(
        file,
        "{\"timestamp\": \"2024-05-05T03:0",
        StandardCharsets.US_ASCII,
        StandardOpenOption.APPEND);
    int[] skipped = {0};
    assertThat(readAll(file, skipped)).hasSize(1);
    assertThat(skipped[0]).isEqualTo(1);

    try (AuditLog log = AuditLog.open(file)) {
      log.append(record("web-2", Outcome.SUCCEEDED, Instant.parse("2024-05-05T04:00:00Z")));
    }
    List<JsonNode> records = readAll(file, skipped);
    assertThat(records).extracting(r -> r.get("domain").asText()).containsExactly("web-1", "web-2");
    // opening the log cut the torn line: every line is a whole record again
    assertThat(skipped[0]).isZero();
    assertThat(Files.readString(file)).endsWith("\n");
  }

  @Test
  void rotatesBeyondItsBoundAndReadsBothFiles() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (AuditLog log = AuditLog.open(file, 1024)) {
      for (int i = 0; i < 10; i++) {
        log.append(
            record(
                "web-" + i,
                Outcome.SUCCEEDED,
                Instant.parse("2024-05-05T03:00:00Z").plusSeconds(i)));
      }
    }
    assertThat(Files.size(file)).isLessThanOrEqualTo(1024);
    assertThat(dir.resolve("audit.jsonl.1")).exists();
    int[] skipped = {0};
    List<JsonNode> records = readAll(file, skipped);
    // the newest records are always kept, in order
    assertThat(records.get(records.size() - 1).get("domain").asText()).isEqualTo("web-9");
    assertThat(records.size()).isBetween(2, 10);
  }
}
