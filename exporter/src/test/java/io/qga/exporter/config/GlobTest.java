package io.qga.exporter.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GlobTest {
  @Test
  void starAndQuestionMark() {
    assertThat(Glob.matches("web-*", "web-1")).isTrue();
    assertThat(Glob.matches("web-*", "web-")).isTrue();
    assertThat(Glob.matches("web-*", "db-1")).isFalse();
    assertThat(Glob.matches("*", "")).isTrue();
    assertThat(Glob.matches("guest-get-*", "guest-get-fsinfo")).isTrue();
    assertThat(Glob.matches("guest-get-*", "guest-exec")).isFalse();
    assertThat(Glob.matches("db-?", "db-1")).isTrue();
    assertThat(Glob.matches("db-?", "db-10")).isFalse();
  }

  @Test
  void otherCharactersAreLiteral() {
    assertThat(Glob.matches("a.b", "axb")).isFalse();
    assertThat(Glob.matches("a.b", "a.b")).isTrue();
    assertThat(Glob.matches("[ab]", "a")).isFalse();
    assertThat(Glob.matches("web-*", null)).isFalse();
  }
}
