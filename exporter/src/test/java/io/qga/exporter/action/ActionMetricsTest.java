package io.qga.exporter.action;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.qga.client.api.FstrimResult;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActionMetricsTest {
  static final Instant T = Instant.parse("2024-05-05T03:00:00Z");

  static String text(ActionMetrics m) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, m.collect());
    return out.toString(StandardCharsets.UTF_8);
  }

  static ActionRecord record(String domain, Origin origin, Outcome outcome, ActionDetails d) {
    return new ActionRecord(
        "j", T, T, domain, "fstrim", null, origin, false, outcome, null, d, null, null);
  }

  @Test
  void exportsRunsLastSuccessTrimmedBytesAndNextRuns() throws Exception {
    ActionState state = ActionState.inMemory();
    state.recordSuccess("web-1", "fstrim", T);
    ActionMetrics m = new ActionMetrics(state);
    m.record(
        record(
            "web-1",
            Origin.policy("weekly-trim", "schedule"),
            Outcome.SUCCEEDED,
            Fstrim.report(
                    new FstrimResult(
                        List.of(
                            new FstrimResult.Path("/", 4096L, 0L, null),
                            new FstrimResult.Path("/boot", null, null, "Read-only file system"))))
                .details()));
    m.record(record("web-1", Origin.api("ansible"), Outcome.FAILED, null));
    m.record(
        record(
            "win-1",
            Origin.api("ansible"),
            Outcome.SUCCEEDED,
            Fstrim.report(
                    new FstrimResult(List.of(new FstrimResult.Path("C:\\", null, null, null))))
                .details()));
    m.nextRuns(() -> Map.of("weekly-trim", Instant.parse("2024-05-12T03:00:00Z")));
    assertThat(text(m))
        .isEqualTo(
            """
            # HELP qga_action_last_success_timestamp_seconds When the action last succeeded on the domain (persisted across restarts).
            # TYPE qga_action_last_success_timestamp_seconds gauge
            qga_action_last_success_timestamp_seconds{action="fstrim",domain="web-1"} 1.714878E9
            # HELP qga_action_runs_total Action runs by domain, action, policy (or api) and result.
            # TYPE qga_action_runs_total counter
            qga_action_runs_total{action="fstrim",domain="web-1",policy="api",result="failed"} 1.0
            qga_action_runs_total{action="fstrim",domain="web-1",policy="weekly-trim",result="succeeded"} 1.0
            qga_action_runs_total{action="fstrim",domain="win-1",policy="api",result="succeeded"} 1.0
            # HELP qga_fstrim_trimmed_bytes Bytes trimmed per mountpoint by the last fstrim of the domain.
            # TYPE qga_fstrim_trimmed_bytes gauge
            qga_fstrim_trimmed_bytes{domain="web-1",mountpoint="/"} 4096.0
            # HELP qga_policy_next_run_timestamp_seconds When the policy's schedule fires next (absent without a schedule).
            # TYPE qga_policy_next_run_timestamp_seconds gauge
            qga_policy_next_run_timestamp_seconds{policy="weekly-trim"} 1.7154828E9
            """);
    m.forgetDomain("web-1");
    assertThat(text(m))
        .doesNotContain("qga_fstrim_trimmed_bytes{")
        .doesNotContain("policy=\"weekly-trim\",");
  }
}
