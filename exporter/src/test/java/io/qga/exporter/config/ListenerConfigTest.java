package io.qga.exporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The listener's keys: server.allowed_hosts, timeouts, connection limit; api.max_live_calls. */
class ListenerConfigTest {
  private static final Path BASE = Path.of("/tmp");

  @Test
  void defaultsAndGivenValues() throws Exception {
    Config d = ConfigLoader.parse("state_dir: /tmp/x\n", BASE);
    assertThat(d.server().allowedHosts()).isEmpty();
    assertThat(d.server().limits()).isEqualTo(ServerConfig.Limits.DEFAULT);
    assertThat(d.api().maxLiveCalls()).isEqualTo(ApiConfig.DEFAULT_MAX_LIVE_CALLS);

    Config c =
        ConfigLoader.parse(
            """
            server:
              allowed_hosts: [Exporter.Example.org, 192.0.2.10, "[::1]"]
              header_timeout: 5s
              idle_timeout: 1m
              max_connections: 200
            api:
              max_live_calls: 2
            state_dir: /tmp/x
            """,
            BASE);
    assertThat(c.server().allowedHosts())
        .containsExactly("exporter.example.org", "192.0.2.10", "::1");
    assertThat(c.server().limits())
        .isEqualTo(new ServerConfig.Limits(Duration.ofSeconds(5), Duration.ofMinutes(1), 200));
    assertThat(c.api().maxLiveCalls()).isEqualTo(2);
  }

  @Test
  void badValuesNameTheirYamlPath() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                ConfigLoader.parse(
                    """
                    server:
                      allowed_hosts: [ok.example.org, "http://evil.example.org/", "a b"]
                      header_timeout: 0s
                      max_connections: 0
                    api:
                      max_live_calls: 0
                    state_dir: /tmp/x
                    """,
                    BASE));
    List<String> problems = e.problems().stream().map(ConfigProblem::toString).toList();
    assertThat(problems)
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        "/server/allowed_hosts/1: \"http://evil.example.org/\" is not a host name"))
        .anySatisfy(
            p -> assertThat(p).startsWith("/server/allowed_hosts/2: \"a b\" is not a host name"))
        .anySatisfy(p -> assertThat(p).startsWith("/server/header_timeout: must be longer than 0"))
        .anySatisfy(p -> assertThat(p).startsWith("/server/max_connections:"))
        .anySatisfy(p -> assertThat(p).startsWith("/api/max_live_calls:"));
  }
}
