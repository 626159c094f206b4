package io.qga.exporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tls.client_ca and tls.client_auth (server.tls, api.tls), api.listen: values and errors. */
class MutualTlsConfigTest {
  @TempDir Path dir;

  @BeforeEach
  void files() throws Exception {
    // existence is all the loader checks; the listener reads them at start
    for (String f : List.of("cert.pem", "key.pem", "ca.pem")) {
      Files.writeString(dir.resolve(f), "x\n");
    }
  }

  private List<String> problems(String yaml) {
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, dir));
    assertThat(e).as("the config should be refused:\n" + yaml).isNotNull();
    return e.problems().stream().map(ConfigProblem::toString).toList();
  }

  @Test
  void clientCertificatesAndTheApiListenerAreRead() throws Exception {
    Config c =
        ConfigLoader.parse(
            """
            server:
              listen: "0.0.0.0:9920"
              tls: {certificate: cert.pem, key: key.pem, client_ca: ca.pem, client_auth: require}
            api:
              listen: "127.0.0.1:9921"
              tls: {certificate: cert.pem, key: key.pem, client_ca: ca.pem, client_auth: request}
            state_dir: /tmp/x
            """,
            dir);
    ServerConfig.Tls server = c.server().tls().orElseThrow();
    assertThat(server.clientAuth()).isEqualTo(ClientAuth.REQUIRE);
    assertThat(server.clientCa()).contains(dir.resolve("ca.pem"));
    ApiListener api = c.api().listener().orElseThrow();
    assertThat(api.listen()).isEqualTo(new ListenAddress("127.0.0.1", 9921));
    assertThat(api.tls().orElseThrow().clientAuth()).isEqualTo(ClientAuth.REQUEST);

    Config d = ConfigLoader.parse("server: {tls: {certificate: cert.pem, key: key.pem}}\n", dir);
    assertThat(d.server().tls().orElseThrow().clientAuth()).isEqualTo(ClientAuth.NONE);
    assertThat(d.server().tls().orElseThrow().clientCa()).isEmpty();
    assertThat(d.api().listener()).isEmpty();

    Config plainApi = ConfigLoader.parse("api: {listen: \"127.0.0.1:9921\"}\n", dir);
    assertThat(plainApi.api().listener().orElseThrow().tls()).isEqualTo(Optional.empty());
  }

  @Test
  void clientAuthNeedsTlsAndAClientCa() {
    assertThat(problems("server: {tls: {client_auth: require, client_ca: ca.pem}}\n"))
        .anySatisfy(
            p -> assertThat(p).startsWith("/server/tls: missing required key 'certificate'"))
        .anySatisfy(p -> assertThat(p).startsWith("/server/tls: missing required key 'key'"));
    assertThat(
            problems(
                "server: {tls: {certificate: cert.pem, key: key.pem, client_auth: require}}\n"))
        .containsExactly(
            "/server/tls/client_auth: client_auth require needs client_ca: a PEM file of the CAs"
                + " that sign the client certificates");
    assertThat(
            problems("server: {tls: {certificate: cert.pem, key: key.pem, client_ca: ca.pem}}\n"))
        .containsExactly(
            "/server/tls/client_ca: client_ca is set but client_auth is none: add client_auth:"
                + " require (or request)");
    assertThat(
            problems(
                "server: {tls: {certificate: cert.pem, key: key.pem, client_ca: ca.pem,"
                    + " client_auth: RequireAndVerifyClientCert}}\n"))
        .containsExactly(
            "/server/tls/client_auth: \"RequireAndVerifyClientCert\" is not a client_auth mode"
                + " (valid: none, request, require)");
    assertThat(problems("server: {client_auth: require}\n"))
        .anySatisfy(p -> assertThat(p).startsWith("/server: unknown key 'client_auth'"));
  }

  @Test
  void aMissingClientCaFileIsNamed() {
    assertThat(
            problems(
                "api:\n  listen: \"127.0.0.1:9921\"\n  tls: {certificate: cert.pem, key: key.pem,"
                    + " client_ca: nowhere.pem, client_auth: require}\n"))
        .containsExactly(
            "/api/tls/client_ca: client CA file " + dir.resolve("nowhere.pem") + " does not exist");
  }

  @Test
  void theApiListenerNeedsAPortOfItsOwn() {
    assertThat(problems("server: {listen: \"0.0.0.0:9920\"}\napi: {listen: \"127.0.0.1:9920\"}\n"))
        .containsExactly(
            "/api/listen: \"127.0.0.1:9920\" is the port of server.listen (\"0.0.0.0:9920\"): the"
                + " API's own listener needs another port (e.g. 127.0.0.1:9921)");
    assertThat(problems("api: {listen: \":9920\"}\n"))
        .singleElement()
        .asString()
        .startsWith("/api/listen:");
    assertThat(problems("server: {listen: \"[::1]:9930\"}\napi: {listen: \"[::1]:9930\"}\n"))
        .singleElement()
        .asString()
        .startsWith("/api/listen:");
    assertThat(problems("api: {listen: \"localhost\"}\n"))
        .singleElement()
        .asString()
        .startsWith("/api/listen: \"localhost\" is not host:port");
    assertThat(problems("api: {tls: {certificate: cert.pem, key: key.pem}}\n"))
        .containsExactly(
            "/api/tls: api.tls needs api.listen: without a listener of its own the API is served"
                + " on server.listen with server.tls");
  }

  @Test
  void differentHostsOnOnePortAreTwoListeners() throws Exception {
    Config c =
        ConfigLoader.parse(
            "server: {listen: \"192.0.2.10:9920\"}\napi: {listen: \"127.0.0.1:9920\"}\n", dir);
    assertThat(c.api().listener().orElseThrow().listen().port()).isEqualTo(9920);
  }
}
