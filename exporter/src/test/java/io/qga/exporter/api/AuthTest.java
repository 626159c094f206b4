package io.qga.exporter.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.exporter.config.ApiToken;
import io.qga.exporter.config.Role;
import io.qga.exporter.config.TokenSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthTest {
  @TempDir Path dir;

  static ApiToken sha(String name, String token, Role role) {
    return new ApiToken(name, new TokenSource.Sha256(ApiTestServer.sha256(token)), role);
  }

  @Test
  void aTokenMatchesByItsSha256AndCarriesItsRole() {
    Auth auth =
        new Auth(List.of(sha("grafana", "r", Role.READER), sha("ansible", "o", Role.OPERATOR)));
    assertThat(auth.verify("o")).hasValue(new Auth.Caller("ansible", Role.OPERATOR));
    assertThat(auth.verify("r")).hasValue(new Auth.Caller("grafana", Role.READER));
    assertThat(auth.verify("x")).isEmpty();
    assertThat(auth.verify("")).isEmpty();
    assertThat(auth.verify(null)).isEmpty();
    assertThat(auth.verify("o".repeat(Auth.MAX_TOKEN + 1))).isEmpty();
    assertThat(new Auth(List.of()).enabled()).isFalse();
  }

  @Test
  void everyComparisonIsBetweenDigestsOfEqualLengthAndCoversEveryToken() {
    List<int[]> compared = new ArrayList<>();
    Auth auth =
        new Auth(
            List.of(
                sha("a", "short", Role.READER),
                sha("b", "a-much-longer-token-" + "x".repeat(200), Role.ADMIN)),
            (presented, expected) -> {
              compared.add(new int[] {presented.length, expected.length});
              return MessageDigest.isEqual(presented, expected);
            });
    for (String presented :
        List.of("s", "short", "a-much-longer-token-" + "x".repeat(200), "y".repeat(4000))) {
      compared.clear();
      auth.verify(presented);
      // both configured tokens compared, even when the first matched; always 32 bytes vs 32 bytes
      assertThat(compared).hasSize(2);
      assertThat(compared).allSatisfy(c -> assertThat(c).containsExactly(32, 32));
    }
  }

  @Test
  void aTokenFileIsReadAgainWhenItChanges() throws Exception {
    Path file = dir.resolve("t.token");
    Files.writeString(file, "  first\n");
    Auth auth = new Auth(List.of(new ApiToken("ci", new TokenSource.File(file), Role.ADMIN)));
    assertThat(auth.verify("first")).isPresent();
    Files.writeString(file, "second\n");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
    assertThat(auth.verify("first")).isEmpty();
    assertThat(auth.verify("second")).isPresent();
    Files.writeString(file, "\n");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(20)));
    assertThat(auth.verify("second")).as("an empty file matches nothing").isEmpty();
    assertThat(auth.verify("")).isEmpty();
    Files.delete(file);
    assertThat(auth.verify("second")).isEmpty();
  }

  @Test
  void bearerHeaders() {
    assertThat(Auth.bearer("Bearer abc")).isEqualTo("abc");
    assertThat(Auth.bearer("bearer  abc ")).isEqualTo("abc");
    assertThat(Auth.bearer("Basic abc")).isNull();
    assertThat(Auth.bearer("Bearer ")).isNull();
    assertThat(Auth.bearer(null)).isNull();
  }

  @Test
  void metricsTokenMatchesItsOwnSourceOnly() {
    Auth auth = new Auth(List.of(sha("a", "api", Role.ADMIN)));
    TokenSource metrics = new TokenSource.Sha256(ApiTestServer.sha256("m"));
    assertThat(auth.matches(metrics, "m")).isTrue();
    assertThat(auth.matches(metrics, "api")).isFalse();
    assertThat(auth.matches(metrics, null)).isFalse();
  }
}
