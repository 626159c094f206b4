package io.qga.exporter.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * Response bodies the API writes with Jackson (docs/openapi.json names each). Members are written
 * in declaration order; a null member is written as {@code null} unless marked.
 */
final class Responses {
  private Responses() {}

  /** Every refusal: {@code error}, {@code status}, then {@code field} and extra members. */
  record Error(String error, int status, @JsonAnyGetter Map<String, Object> details) {}

  /** 202: the action is queued or running; {@code location} is where its job is read. */
  record JobAccepted(String job, String state, String location) {}

  /** {@code POST .../ping}. */
  record Pong(String domain, boolean ok, @JsonProperty("rtt_seconds") double rttSeconds) {}

  /** {@code POST .../command}: the agent's {@code return}; {@code job} when the executor ran it. */
  record CommandReturn(
      @JsonProperty("return") JsonNode value,
      @JsonInclude(JsonInclude.Include.NON_NULL) String job) {}

  /**
   * {@code POST .../exec}: how the process ended and its output as base64 ({@code byte[]} is
   * written as base64); {@code exitcode} null when a signal ended it.
   */
  record ExecResult(
      Integer exitcode,
      Integer signal,
      byte[] stdout,
      byte[] stderr,
      @JsonProperty("stdout_truncated") boolean stdoutTruncated,
      @JsonProperty("stderr_truncated") boolean stderrTruncated,
      long pid,
      @JsonProperty("duration_ms") long durationMs) {}

  /**
   * {@code PUT .../files}: the file written; {@code mode_applied} (and {@code mode_error} when
   * false) only when a mode was asked for.
   */
  record FileWritten(
      String path,
      long size,
      @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("mode_applied") Boolean modeApplied,
      @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("mode_error") String modeError) {}

  /** {@code GET /api/v1/policies}. */
  record PolicyList(List<PolicyView> policies) {}

  record PolicyView(
      String name,
      String action,
      String schedule,
      @JsonProperty("dry_run") boolean dryRun,
      @JsonProperty("next_run") String nextRun,
      @JsonProperty("last_run") String lastRun) {}

  /** {@code POST /api/v1/policies/{name}/run}: what the engine decided per domain. */
  record PolicyRun(
      String policy,
      String action,
      @JsonProperty("dry_run") boolean dryRun,
      List<DecisionView> decisions) {}

  record DecisionView(String domain, String decision, String reason, String job) {}

  /** {@code POST /-/reload} that applied the config. */
  record Reloaded(boolean reloaded) {}

  /** {@code POST /-/reload} that kept the old config: the error body plus the problems. */
  record NotReloaded(String error, int status, boolean reloaded, List<String> problems) {}
}
