package io.qga.bench;

import io.qga.collectors.Collector;
import io.qga.collectors.Collectors;
import io.qga.exporter.config.AgentConfig;
import io.qga.exporter.config.CollectorsConfig;
import io.qga.exporter.poll.PollSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plan of the native floor ({@code bench/floor/floor.c}): the collectors' commands and default
 * intervals from the registry, the guest-info refresh, the probe backoff and the command deadline,
 * as the exporter's defaults say, so the floor sends what the exporter sends.
 */
final class NativeFloor {
  private NativeFloor() {}

  /** Writes the plan to {@code file}; returns it. */
  static Path writePlan(Path file) throws IOException {
    Map<String, Duration> intervals = new LinkedHashMap<>();
    for (Collector c : Collectors.all()) {
      intervals.put(c.name(), CollectorsConfig.DEFAULT.interval(c.name()));
    }
    PollSettings settings = PollSettings.of(intervals);
    Duration cap = settings.backoffCap(); // Poller.backoffFor: 1 s doubling up to this
    List<String> lines = new ArrayList<>();
    lines.add("info " + settings.infoRefresh().toMillis());
    lines.add("probe " + Math.min(1000, cap.toMillis()) + " " + cap.toMillis());
    for (Collector c : Collectors.all()) {
      lines.add(
          "collector "
              + c.name()
              + " "
              + intervals.get(c.name()).toMillis()
              + " "
              + String.join(" ", c.commands()));
    }
    Files.write(file, lines, StandardCharsets.UTF_8);
    return file;
  }

  /** The exporter's default deadline of a polling command (agent.command_timeout). */
  static long timeoutMillis() {
    return AgentConfig.DEFAULT.commandTimeout().toMillis();
  }
}
