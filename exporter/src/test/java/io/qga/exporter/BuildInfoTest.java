package io.qga.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The revision label: a commit hash from the build, else "unknown" (never build noise). */
class BuildInfoTest {
  @Test
  void onlyACommitHashIsARevision() {
    String hash = "a6fc5081eb4443f21cc0352da7247b5f0f8cb120";
    assertThat(BuildInfo.revisionOf(hash)).isEqualTo(hash);
    // built without git, outside a checkout, or with git failing
    assertThat(BuildInfo.revisionOf("${git.revision}")).isEqualTo("unknown");
    assertThat(BuildInfo.revisionOf("")).isEqualTo("unknown");
    assertThat(BuildInfo.revisionOf(null)).isEqualTo("unknown");
    assertThat(BuildInfo.revisionOf("fatal: not a git repository")).isEqualTo("unknown");
  }

  @Test
  void theBuildWroteTheRevisionAndTheJavaVersionIsTheRuntimes() {
    BuildInfo info = BuildInfo.current();
    assertThat(info.revision()).matches("[0-9a-f]{40}|unknown");
    assertThat(info.javaVersion()).isEqualTo(System.getProperty("java.version"));
  }
}
