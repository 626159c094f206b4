package io.qga.exporter.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * state.json with times no clock can hold (year 10^9, before 1970, NaN, a number): each such entry
 * is dropped at load with a warning naming the file and the entry; the valid ones stay and /metrics
 * keeps answering.
 */
@Timeout(120)
class StateFileTimesTest {
  private Path dir;
  private Harness harness;
  private final List<String> logged = new CopyOnWriteArrayList<>();
  private final Logger log = Logger.getLogger("io.qga.exporter.action.ActionState");
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          logged.add(r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void setUp() throws Exception {
    dir = Files.createTempDirectory(Path.of("/tmp"), "qga-state-");
    harness = new Harness(dir);
    log.addHandler(capture);
  }

  @AfterEach
  void tearDown() {
    log.removeHandler(capture);
    harness.close();
  }

  private String startWith(String lastSuccess) throws Exception {
    Files.createDirectories(dir.resolve("state"));
    Files.writeString(
        dir.resolve("state/state.json"),
        "{\"version\": 1, \"last_success\": {" + lastSuccess + "}, \"last_run\": {}}");
    harness.agent("web-1", g -> {});
    harness.start(harness.config("1s", "2s", "1s", ""));
    return harness.get("/metrics"); // throws unless 200
  }

  @Test
  void aFarFutureTimeIsDroppedAndMetricsKeepWorking() throws Exception {
    Instant valid = Instant.now().minusSeconds(3600);
    String metrics =
        startWith(
            "\"web-1\": {\"fstrim\": \""
                + valid
                + "\"},"
                + "\"web-2\": {\"fstrim\": \"+1000000000-12-31T23:59:59Z\"},"
                + "\"web-3\": {\"fstrim\": \"-1000000000-01-01T00:00:00Z\"}");
    assertThat(metrics).contains("qga_action_last_success_timestamp_seconds{");
    Double t =
        Series.find(
            Series.parse(metrics), "qga_action_last_success_timestamp_seconds", "domain", "web-1");
    assertThat(t)
        .isEqualTo(valid.toEpochMilli() / 1000.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(metrics).doesNotContain("web-2").doesNotContain("web-3");
    String state = dir.resolve("state/state.json").toString();
    assertThat(logged)
        .anyMatch(m -> m.contains(state) && m.contains("last_success/web-2/fstrim"))
        .anyMatch(m -> m.contains(state) && m.contains("last_success/web-3/fstrim"));
    Harness.await(
        Duration.ofSeconds(10), "a second scrape", () -> !harness.scrapeQuietly().isEmpty());
  }

  @Test
  void entriesThatAreNoTimeAreDroppedOneByOne() throws Exception {
    Instant valid = Instant.now().minusSeconds(60);
    String metrics =
        startWith(
            "\"web-1\": {\"fstrim\": \""
                + valid
                + "\"},"
                + "\"web-4\": {\"fstrim\": \"NaN\"},"
                + "\"web-5\": {\"fstrim\": 1e300}");
    assertThat(
            Series.find(
                Series.parse(metrics),
                "qga_action_last_success_timestamp_seconds",
                "domain",
                "web-1"))
        .as("the valid entry survives its bad neighbours")
        .isNotNull();
    assertThat(logged)
        .anyMatch(m -> m.contains("last_success/web-4/fstrim"))
        .anyMatch(m -> m.contains("last_success/web-5/fstrim"));
  }
}
