package io.qga.exporter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code api.exec}: off by default, limits read with bounds, problems named by their path. */
class ExecConfigTest {
  @TempDir Path dir;

  private List<String> problems(String yaml) {
    try {
      ConfigLoader.parse(yaml, dir);
    } catch (ConfigException e) {
      return e.problems().stream().map(ConfigProblem::toString).toList();
    }
    throw new AssertionError("expected problems, the config loaded:\n" + yaml);
  }

  @Test
  void offByDefaultAndEveryLimitReadable() throws Exception {
    assertThat(ConfigLoader.parse("", dir).api().exec()).isEqualTo(ExecConfig.DEFAULT);
    assertThat(ExecConfig.DEFAULT.enabled()).isFalse();
    ExecConfig x =
        ConfigLoader.parse(
                "api:\n  exec:\n    enabled: true\n    max_timeout: 2m\n    default_timeout: 5s\n"
                    + "    max_output: 1MiB\n    max_file_size: 10MiB\n    chunk_size: 64KiB\n",
                dir)
            .api()
            .exec();
    assertThat(x)
        .isEqualTo(
            new ExecConfig(
                true, Duration.ofMinutes(2), Duration.ofSeconds(5), 1 << 20, 10 << 20, 64 << 10));
  }

  @Test
  void badValuesAreNamedByTheirPath() {
    assertThat(
            problems(
                "api:\n  exec:\n    enabled: maybe\n    chunk_size: 2MiB\n    max_output: 20MiB\n"
                    + "    default_timeout: 20m\n    kill: true\n"))
        .anySatisfy(p -> assertThat(p).startsWith("/api/exec/enabled"))
        .anySatisfy(p -> assertThat(p).startsWith("/api/exec/chunk_size"))
        .anySatisfy(p -> assertThat(p).startsWith("/api/exec/max_output"))
        .anySatisfy(
            p -> assertThat(p).contains("/api/exec/default_timeout").contains("max_timeout"))
        .anySatisfy(p -> assertThat(p).contains("kill"));
  }

  @Test
  void aChunkWhoseReadReplyCannotFitTheAgentsReplyBoundIsRefused() {
    assertThat(problems("agent:\n  max_reply_size: 64KiB\napi:\n  exec:\n    chunk_size: 64KiB\n"))
        .anySatisfy(
            p -> assertThat(p).startsWith("/api/exec/chunk_size").contains("agent.max_reply_size"));
  }
}
