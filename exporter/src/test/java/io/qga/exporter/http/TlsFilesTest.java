package io.qga.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsServer;
import io.qga.exporter.config.ServerConfig;
import io.qga.sim.testing.RealPrograms;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Certificates made by the real openssl CLI; HTTPS requests with a client trusting them. */
@Tag("real")
class TlsFilesTest {
  @TempDir Path dir;

  /** Runs openssl with {@code args}; fails with its output when it does not exit 0. */
  private void openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(RealPrograms.require("openssl").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        out = in.readAllBytes();
      }
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("openssl did not finish: " + cmd);
      }
      assertThat(p.exitValue()).as(new String(out, StandardCharsets.UTF_8)).isZero();
    } finally {
      p.destroyForcibly();
    }
  }

  /** A self-signed certificate for 127.0.0.1 in {@code name}.crt and {@code name}.key. */
  private void selfSigned(String name, String cn) throws Exception {
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=" + cn,
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        name + ".key",
        "-out",
        name + ".crt");
  }

  private static SSLContext trusting(Path... certs) throws Exception {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    int i = 0;
    for (Path c : certs) {
      for (X509Certificate x : TlsFiles.readChain(c)) {
        ks.setCertificateEntry("c" + i++, x);
      }
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  private static HttpsServer serve(ServerConfig.Tls tls) throws IOException {
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
    server.setHttpsConfigurator(TlsFiles.configurator(tls));
    server.createContext(
        "/",
        ex -> {
          byte[] b = "hello over tls".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        });
    server.start();
    return server;
  }

  private static HttpResponse<String> get(HttpsServer server, SSLContext trust) throws Exception {
    // a new client per request: a new TLS handshake sees the current certificate
    HttpClient client = HttpClient.newBuilder().sslContext(trust).build();
    return client.send(
        HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesHttpsWithAGeneratedCertificateAndReloadsARenewedOne() throws Exception {
    selfSigned("a", "first");
    selfSigned("b", "second");
    Path cert = dir.resolve("server.crt");
    Path key = dir.resolve("server.key");
    Files.copy(dir.resolve("a.crt"), cert);
    Files.copy(dir.resolve("a.key"), key);
    HttpsServer server = serve(new ServerConfig.Tls(cert, key));
    try {
      HttpResponse<String> r = get(server, trusting(dir.resolve("a.crt")));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("hello over tls");
      assertThatThrownBy(() -> get(server, trusting(dir.resolve("b.crt"))))
          .isInstanceOf(IOException.class);

      // renewal: both files replaced; later handshakes get the new pair
      Files.copy(dir.resolve("b.crt"), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.copy(dir.resolve("b.key"), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.setLastModifiedTime(cert, FileTime.from(Instant.now().plusSeconds(5)));
      Files.setLastModifiedTime(key, FileTime.from(Instant.now().plusSeconds(5)));
      await(
          () -> {
            try {
              return get(server, trusting(dir.resolve("b.crt"))).statusCode() == 200;
            } catch (Exception e) {
              return false;
            }
          },
          java.time.Duration.ofSeconds(10),
          "the renewed certificate served");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void readsPkcs1AndSec1KeysAndRefusesAKeyOfAnotherCertificate() throws Exception {
    selfSigned("a", "first");
    openssl("genrsa", "-traditional", "-out", "rsa1.key", "2048");
    assertThat(Files.readString(dir.resolve("rsa1.key"))).contains("BEGIN RSA PRIVATE KEY");
    assertThat(TlsFiles.readKey(dir.resolve("rsa1.key")).getAlgorithm()).isEqualTo("RSA");
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.key");
    assertThat(Files.readString(dir.resolve("ec.key"))).contains("BEGIN EC PRIVATE KEY");
    assertThat(TlsFiles.readKey(dir.resolve("ec.key")).getAlgorithm()).isEqualTo("EC");
    openssl("req", "-x509", "-key", "ec.key", "-days", "1", "-subj", "/CN=ec", "-out", "ec.crt");
    assertThat(TlsFiles.load(dir.resolve("ec.crt"), dir.resolve("ec.key"), "x").chain()).hasSize(1);

    assertThatThrownBy(
            () ->
                TlsFiles.configurator(
                    new ServerConfig.Tls(dir.resolve("a.crt"), dir.resolve("rsa1.key"))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not belong to the certificate");
    assertThatThrownBy(() -> TlsFiles.readKey(dir.resolve("a.crt")))
        .hasMessageContaining("no -----BEGIN PRIVATE KEY-----");
    openssl("pkcs8", "-topk8", "-in", "a.key", "-out", "enc.key", "-passout", "pass:secret");
    assertThatThrownBy(() -> TlsFiles.readKey(dir.resolve("enc.key")))
        .hasMessageContaining("encrypted");
  }

  @Test
  void aHalfWrittenPairKeepsTheOldCertificate() throws Exception {
    selfSigned("a", "first");
    selfSigned("b", "second");
    Path cert = dir.resolve("server.crt");
    Path key = dir.resolve("server.key");
    Files.copy(dir.resolve("a.crt"), cert);
    Files.copy(dir.resolve("a.key"), key);
    Instant[] now = {Instant.now()};
    Clock clock =
        new Clock() {
          @Override
          public ZoneOffset getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now[0];
          }
        };
    var km = new TlsFiles.ReloadingKeyManager(cert, key, clock);
    String first = km.current().alias();
    Files.copy(dir.resolve("b.crt"), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(cert, FileTime.from(Instant.now().plusSeconds(5)));
    now[0] = now[0].plusSeconds(2);
    assertThat(km.current().alias()).as("new cert, old key: not used").isEqualTo(first);
    assertThat(km.current().chain()[0].getSubjectX500Principal().getName()).contains("first");
    Files.copy(dir.resolve("b.key"), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(key, FileTime.from(Instant.now().plusSeconds(6)));
    now[0] = now[0].plusSeconds(2);
    assertThat(km.current().chain()[0].getSubjectX500Principal().getName()).contains("second");
    assertThat(km.getPrivateKey(first))
        .as("the old pair stays for handshakes under way")
        .isNotNull();
  }

  private static void await(
      java.util.function.BooleanSupplier condition, java.time.Duration within, String what)
      throws InterruptedException {
    long end = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(what + ": not within " + within);
      }
      Thread.sleep(10);
    }
  }
}
