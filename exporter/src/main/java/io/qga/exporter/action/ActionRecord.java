package io.qga.exporter.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The result of one action run: what the audit log holds (one JSON line per record, {@link
 * #toJson}), what a job returns, and what the metrics count.
 *
 * @param job the job id
 * @param timestamp when the run ended
 * @param startedAt when it started (equal to {@code timestamp} when it never started)
 * @param details action-specific details; null when there are none
 * @param error one line saying what went wrong, or null
 * @param warnings what an operator must see even on success (e.g. a clock step beyond max_step)
 */
public record ActionRecord(
    String job,
    Instant timestamp,
    Instant startedAt,
    String domain,
    String action,
    ObjectNode arguments,
    Origin origin,
    boolean dryRun,
    Outcome outcome,
    String reason,
    ActionDetails details,
    String error,
    List<String> warnings) {

  public ActionRecord {
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(outcome, "outcome");
    arguments = arguments == null ? JsonNodeFactory.instance.objectNode() : arguments.deepCopy();
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }

  public Duration duration() {
    return Duration.between(startedAt, timestamp);
  }

  /** The audit log line (without the newline). Field names are part of the audit format. */
  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("timestamp", timestamp.toString());
    o.put("domain", domain);
    o.put("action", action);
    o.put("origin", origin.audit());
    o.put("trigger", origin.trigger());
    o.put("dry_run", dryRun);
    o.put("result", outcome.wire());
    o.put("job", job);
    o.put("started_at", startedAt.toString());
    o.put("duration_seconds", duration().toNanos() / 1e9);
    o.set("arguments", arguments.deepCopy());
    if (reason != null) {
      o.put("reason", reason);
    }
    o.set("details", details == null ? JsonNodeFactory.instance.objectNode() : details.toJson());
    if (error != null) {
      o.put("error", error);
    } else {
      o.putNull("error");
    }
    ArrayNode w = o.putArray("warnings");
    warnings.forEach(w::add);
    return o;
  }

  /**
   * Reads an audit line back. Details come back as raw JSON.
   *
   * @throws IllegalArgumentException when a mandatory field is missing or wrong
   */
  public static ActionRecord fromJson(JsonNode o) {
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("an audit record is a JSON object");
    }
    Instant timestamp = Instant.parse(text(o, "timestamp"));
    Instant started =
        o.hasNonNull("started_at") ? Instant.parse(o.get("started_at").asText()) : timestamp;
    JsonNode details = o.get("details");
    ObjectNode detailsCopy =
        details != null && details.isObject() ? ((ObjectNode) details).deepCopy() : null;
    List<String> warnings = new ArrayList<>();
    if (o.path("warnings").isArray()) {
      o.get("warnings").forEach(w -> warnings.add(w.asText()));
    }
    JsonNode args = o.get("arguments");
    return new ActionRecord(
        o.path("job").asText(""),
        timestamp,
        started,
        text(o, "domain"),
        text(o, "action"),
        args != null && args.isObject() ? (ObjectNode) args : null,
        Origin.fromAudit(text(o, "origin"), o.path("trigger").asText("")),
        o.path("dry_run").asBoolean(false),
        Outcome.parse(text(o, "result")),
        o.hasNonNull("reason") ? o.get("reason").asText() : null,
        detailsCopy == null ? null : detailsCopy::deepCopy,
        o.hasNonNull("error") ? o.get("error").asText() : null,
        warnings);
  }

  private static String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("audit record without \"" + field + "\"");
    }
    return v.asText();
  }
}
