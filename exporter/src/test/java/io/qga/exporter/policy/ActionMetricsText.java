package io.qga.exporter.policy;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.qga.exporter.action.ActionExecutor;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The executor's metrics as exposition text, for tests. */
final class ActionMetricsText {
  private ActionMetricsText() {}

  static String of(ActionExecutor executor) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, executor.metrics().collect());
    return out.toString(StandardCharsets.UTF_8);
  }
}
