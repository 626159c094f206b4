package io.qga.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.exporter.config.ConfigLoader;
import io.qga.sim.testing.RealPrograms;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client certificates (tls.client_ca, tls.client_auth) and the API's own listener (api.listen,
 * api.tls) on the running daemon, with a CA, a server certificate and client certificates made by
 * the real openssl: a handshake without a certificate from the configured CA is refused, one with
 * such a certificate is served, and the API still asks for its token.
 */
@Tag("real")
class MutualTlsTest {
  private static final String TOKEN = "ops-token";

  @TempDir Path dir;
  private Daemon daemon;

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  @BeforeEach
  void certificates() throws Exception {
    // the server: self-signed, for 127.0.0.1
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=qga",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        "server.key",
        "-out",
        "server.pem");
    ca("ca-a");
    ca("ca-b");
    client("ansible", "ca-a");
    client("intruder", "ca-b");
  }

  private void ca(String name) throws Exception {
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=" + name,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
        "-keyout",
        name + ".key",
        "-out",
        name + ".pem");
  }

  /** A client certificate signed by {@code ca}, and a PKCS#12 of it for the Java client. */
  private void client(String name, String ca) throws Exception {
    Files.writeString(dir.resolve(name + ".ext"), "extendedKeyUsage=clientAuth\n");
    openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        "/CN=" + name,
        "-keyout",
        name + ".key",
        "-out",
        name + ".csr");
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        ca + ".pem",
        "-CAkey",
        ca + ".key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        name + ".ext",
        "-out",
        name + ".pem");
    openssl(
        "pkcs12",
        "-export",
        "-inkey",
        name + ".key",
        "-in",
        name + ".pem",
        "-passout",
        "pass:secret",
        "-out",
        name + ".p12");
  }

  private void openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(RealPrograms.require("openssl").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    try (InputStream in = p.getInputStream()) {
      String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(String.join(" ", args) + "\n" + out).isZero();
    } finally {
      p.destroyForcibly();
    }
  }

  /** A TLS client trusting the server certificate, presenting {@code client}'s when not null. */
  private SSLSocketFactory tls(String client) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(dir.resolve("server.pem"))) {
      trust.setCertificateEntry(
          "server",
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (client != null) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(dir.resolve(client + ".p12"))) {
        keys.load(in, "secret".toCharArray());
      }
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, "secret".toCharArray());
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(
        kmf == null
            ? null
            : new KeyManager[] {new Insistent((X509ExtendedKeyManager) kmf.getKeyManagers()[0])},
        tmf.getTrustManagers(),
        null);
    return ctx.getSocketFactory();
  }

  /**
   * Sends its certificate whatever CAs the server names: the JDK's own client sends none when its
   * issuer is not among them, which would test "no certificate" instead of "a certificate from
   * another CA" (curl, Go and a hostile client send it all the same).
   */
  private static final class Insistent extends X509ExtendedKeyManager {
    private final X509ExtendedKeyManager keys;

    Insistent(X509ExtendedKeyManager keys) {
      this.keys = keys;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return keys.chooseEngineClientAlias(keyType, null, engine);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return keys.chooseClientAlias(keyType, null, socket);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return keys.getClientAliases(keyType, null);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return keys.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return keys.getPrivateKey(alias);
    }
  }

  /**
   * The status line and body of a request over TLS (TLS 1.3 and 1.2 tried alike), or "refused: ..."
   * when the server ended the connection without an HTTP answer (a failed handshake: with TLS 1.3
   * the client learns of it on its first read).
   */
  private static String https(
      SSLSocketFactory f, int port, String method, String path, String token) {
    try (SSLSocket s = (SSLSocket) f.createSocket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.startHandshake();
      return exchange(s.getOutputStream(), s.getInputStream(), method, path, token);
    } catch (IOException e) {
      return "refused: " + e;
    }
  }

  private static String http(int port, String method, String path, String token)
      throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      return exchange(s.getOutputStream(), s.getInputStream(), method, path, token);
    }
  }

  private static String exchange(
      java.io.OutputStream out, InputStream in, String method, String path, String token)
      throws IOException {
    out.write(
        (method
                + " "
                + path
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + "Content-Length: 0\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    if (response.isEmpty()) {
      return "refused: closed without an answer";
    }
    return response.lines().findFirst().orElse("")
        + "\n"
        + response.substring(Math.max(0, response.indexOf("\r\n\r\n")));
  }

  private static String sha256(String token) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
  }

  private void start(String server, String api) throws Exception {
    Path config = dir.resolve("config.yaml");
    Files.writeString(
        config,
        "server:\n  listen: \"127.0.0.1:0\"\n"
            + server
            + "api:\n  tokens:\n    - name: ops\n      sha256: "
            + sha256(TOKEN)
            + "\n      role: admin\n"
            + api
            + "state_dir: \""
            + dir.resolve("state")
            + "\"\n");
    daemon = Daemon.start(config, ConfigLoader.load(config));
  }

  private static String tlsBlock(String indent, String mode) {
    return indent
        + "tls:\n"
        + indent
        + "  certificate: server.pem\n"
        + indent
        + "  key: server.key\n"
        + (mode == null
            ? ""
            : indent + "  client_ca: client-ca.pem\n" + indent + "  client_auth: " + mode + "\n");
  }

  @Test
  void requireRefusesTheHandshakeWithoutACertificateFromTheClientCa() throws Exception {
    Files.copy(dir.resolve("ca-a.pem"), dir.resolve("client-ca.pem"));
    start(tlsBlock("  ", "require"), "");
    int port = daemon.port();

    assertThat(https(tls(null), port, "GET", "/metrics", null)).startsWith("refused");
    assertThat(https(tls("intruder"), port, "GET", "/metrics", null)).startsWith("refused");
    assertThat(https(tls(null), port, "GET", "/api/v1/domains", TOKEN)).startsWith("refused");

    assertThat(https(tls("ansible"), port, "GET", "/metrics", null)).startsWith("HTTP/1.1 200");
    // a client certificate is no token: the API still asks for one
    assertThat(https(tls("ansible"), port, "GET", "/api/v1/domains", null))
        .startsWith("HTTP/1.1 401");
    assertThat(https(tls("ansible"), port, "GET", "/api/v1/domains", TOKEN))
        .startsWith("HTTP/1.1 200");
  }

  @Test
  void requestServesClientsWithoutACertificateButRefusesOneFromAnotherCa() throws Exception {
    Files.copy(dir.resolve("ca-a.pem"), dir.resolve("client-ca.pem"));
    start(tlsBlock("  ", "request"), "");
    int port = daemon.port();

    assertThat(https(tls(null), port, "GET", "/metrics", null)).startsWith("HTTP/1.1 200");
    assertThat(https(tls("ansible"), port, "GET", "/metrics", null)).startsWith("HTTP/1.1 200");
    assertThat(https(tls("intruder"), port, "GET", "/metrics", null)).startsWith("refused");
  }

  @Test
  void aReplacedClientCaFileAppliesToTheNextConnections() throws Exception {
    Path caFile = dir.resolve("client-ca.pem");
    Files.copy(dir.resolve("ca-a.pem"), caFile);
    start(tlsBlock("  ", "require"), "");
    int port = daemon.port();
    // one client context throughout: it offers to resume its TLS session after the rotation
    SSLSocketFactory ansible = tls("ansible");
    assertThat(https(ansible, port, "GET", "/metrics", null)).startsWith("HTTP/1.1 200");
    assertThat(https(ansible, port, "GET", "/metrics", null)).startsWith("HTTP/1.1 200");
    assertThat(https(tls("intruder"), port, "GET", "/metrics", null)).startsWith("refused");

    // the CA is rotated: ca-b's clients get in, ca-a's no longer
    Files.writeString(caFile, Files.readString(dir.resolve("ca-b.pem")));
    Files.setLastModifiedTime(caFile, FileTime.from(Instant.now().plusSeconds(5)));
    Thread.sleep(1_100); // files are looked at at most once a second, on the next handshake
    assertThat(https(tls("intruder"), port, "GET", "/metrics", null)).startsWith("HTTP/1.1 200");
    assertThat(https(tls("ansible"), port, "GET", "/metrics", null)).startsWith("refused");
    assertThat(https(ansible, port, "GET", "/metrics", null))
        .as("a session resumed from before the rotation")
        .startsWith("refused");

    // a broken file keeps the CAs loaded before
    Files.writeString(caFile, "not a certificate\n");
    Files.setLastModifiedTime(caFile, FileTime.from(Instant.now().plusSeconds(10)));
    Thread.sleep(1_100);
    assertThat(https(tls("intruder"), port, "GET", "/metrics", null)).startsWith("HTTP/1.1 200");
    assertThat(https(tls("ansible"), port, "GET", "/metrics", null)).startsWith("refused");
  }

  @Test
  void theApiOnItsOwnListenerAndNothingElseThere() throws Exception {
    start("", "  listen: \"127.0.0.1:0\"\n");
    int metrics = daemon.port();
    int api = daemon.apiPort().orElseThrow();
    assertThat(api).isNotEqualTo(metrics);

    String onMetrics = http(metrics, "GET", "/api/v1/domains", TOKEN);
    assertThat(onMetrics).startsWith("HTTP/1.1 404").contains("api.listen");
    assertThat(http(metrics, "POST", "/-/reload", TOKEN)).startsWith("HTTP/1.1 404");
    assertThat(http(metrics, "GET", "/metrics", null)).startsWith("HTTP/1.1 200");
    assertThat(http(metrics, "GET", "/-/healthy", null)).startsWith("HTTP/1.1 200");
    assertThat(http(metrics, "GET", "/-/ready", null)).startsWith("HTTP/1.1 200");
    assertThat(http(metrics, "GET", "/", null)).startsWith("HTTP/1.1 200");

    assertThat(http(api, "GET", "/api/v1/domains", null)).startsWith("HTTP/1.1 401");
    assertThat(http(api, "GET", "/api/v1/domains", TOKEN)).startsWith("HTTP/1.1 200");
    assertThat(http(api, "POST", "/-/reload", null)).startsWith("HTTP/1.1 401");
    assertThat(http(api, "POST", "/-/reload", TOKEN)).startsWith("HTTP/1.1 200");
    String metricsOnApi = http(api, "GET", "/metrics", null);
    assertThat(metricsOnApi).startsWith("HTTP/1.1 404").contains("server.listen");
    assertThat(metricsOnApi).doesNotContain("qga_");
    assertThat(http(api, "GET", "/-/healthy", null)).startsWith("HTTP/1.1 404");
    assertThat(http(api, "GET", "/", null)).startsWith("HTTP/1.1 404");
  }

  @Test
  void theApiListenerHasItsOwnTlsWithClientCertificates() throws Exception {
    Files.copy(dir.resolve("ca-a.pem"), dir.resolve("client-ca.pem"));
    start("", "  listen: \"127.0.0.1:0\"\n" + tlsBlock("  ", "require"));
    int metrics = daemon.port();
    int api = daemon.apiPort().orElseThrow();

    // Prometheus scrapes plain HTTP without a certificate
    assertThat(http(metrics, "GET", "/metrics", null)).startsWith("HTTP/1.1 200");
    // the API wants a client certificate from ca-a, then a token
    assertThat(https(tls(null), api, "GET", "/api/v1/domains", TOKEN)).startsWith("refused");
    assertThat(https(tls("intruder"), api, "GET", "/api/v1/domains", TOKEN)).startsWith("refused");
    assertThat(https(tls("ansible"), api, "GET", "/api/v1/domains", null))
        .startsWith("HTTP/1.1 401");
    assertThat(https(tls("ansible"), api, "GET", "/api/v1/domains", TOKEN))
        .startsWith("HTTP/1.1 200");
    assertThat(https(tls("ansible"), api, "GET", "/metrics", null)).startsWith("HTTP/1.1 404");
  }

  /** The collection's own client through mTLS: real ansible-core, its client_cert option. */
  @Test
  void theAnsibleCollectionPresentsItsClientCertificate() throws Exception {
    Files.copy(dir.resolve("ca-a.pem"), dir.resolve("client-ca.pem"));
    start("", "  listen: \"127.0.0.1:0\"\n" + tlsBlock("  ", "require"));
    int api = daemon.apiPort().orElseThrow();

    String ok = ansible(api, "ansible");
    assertThat(ok).contains("SUCCESS").contains("\"domains\"");
    // the TLS alerts reach the user: certificate required / certificate unknown
    assertThat(ansible(api, null))
        .contains("FAILED")
        .containsIgnoringCase("alert certificate required");
    assertThat(ansible(api, "intruder"))
        .contains("FAILED")
        .containsIgnoringCase("alert certificate unknown");
  }

  /** {@code ansible localhost -m qga.exporter.domain_info} against the API port. */
  private String ansible(int port, String client) throws Exception {
    String args =
        "url=https://127.0.0.1:"
            + port
            + " token="
            + TOKEN
            + " ca_path="
            + dir.resolve("server.pem")
            + (client == null
                ? ""
                : " client_cert="
                    + dir.resolve(client + ".pem")
                    + " client_key="
                    + dir.resolve(client + ".key"));
    ProcessBuilder pb =
        new ProcessBuilder(
                RealPrograms.require("ansible").toString(),
                "localhost",
                "-i",
                "localhost,",
                "-c",
                "local",
                "-m",
                "qga.exporter.domain_info",
                "-a",
                args)
            .redirectErrorStream(true);
    pb.environment()
        .put(
            "ANSIBLE_COLLECTIONS_PATH",
            Path.of("..", "ansible").toAbsolutePath().normalize().toString());
    pb.environment().put("ANSIBLE_PYTHON_INTERPRETER", "/usr/bin/python3");
    pb.environment().put("ANSIBLE_NOCOLOR", "1");
    pb.environment().put("ANSIBLE_LOCALHOST_WARNING", "0");
    pb.environment().put("ANSIBLE_INVENTORY_UNPARSED_WARNING", "0");
    pb.environment().put("ANSIBLE_LOCAL_TEMP", dir.resolve("ansible-tmp").toString());
    pb.environment().put("HOME", dir.toString());
    Process p = pb.start();
    try (InputStream in = p.getInputStream()) {
      String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      return out;
    } finally {
      p.destroyForcibly();
    }
  }
}
