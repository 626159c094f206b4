package io.qga.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.qga.exporter.config.ServerConfig;
import io.qga.sim.testing.RealPrograms;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * server.tls on the daemon's listener (Jetty behind the HttpServer API), with a certificate made by
 * the real openssl: HTTPS answers, old protocols are refused, exact paths hold, and a Host name
 * that is not in the certificate is still served (as the JDK server did).
 */
@Tag("real")
class HttpsListenerTest {
  @TempDir Path dir;

  private void openssl(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(RealPrograms.require("openssl").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    try (InputStream in = p.getInputStream()) {
      String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
    } finally {
      p.destroyForcibly();
    }
  }

  private SSLContext trusting(Path cert) throws Exception {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    int i = 0;
    for (X509Certificate x : TlsFiles.readChain(cert)) {
      ks.setCertificateEntry("c" + i++, x);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /** The status line of a GET over TLS with this Host header and protocol. */
  private static String get(SSLContext trust, int port, String path, String host, String protocol)
      throws Exception {
    try (SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.setEnabledProtocols(new String[] {protocol});
      s.startHandshake();
      s.getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      return response.lines().findFirst().orElse("");
    }
  }

  @Test
  void servesHttpsFromPemFilesWithExactPaths() throws Exception {
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=qga",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        "key.pem",
        "-out",
        "cert.pem");
    ServerConfig.Tls tls = new ServerConfig.Tls(dir.resolve("cert.pem"), dir.resolve("key.pem"));
    try (HttpEndpoint endpoint =
        HttpEndpoint.builder()
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .registry(new PrometheusRegistry())
            .https(TlsFiles.configurator(tls))
            .start()) {
      SSLContext trust = trusting(dir.resolve("cert.pem"));
      int port = endpoint.port();
      assertThat(get(trust, port, "/-/healthy", "127.0.0.1", "TLSv1.3")).startsWith("HTTP/1.1 200");
      assertThat(get(trust, port, "/metrics", "127.0.0.1:" + port, "TLSv1.2"))
          .startsWith("HTTP/1.1 200");
      assertThat(get(trust, port, "/metricsX", "127.0.0.1", "TLSv1.3")).startsWith("HTTP/1.1 404");
      // a name the certificate does not list (clients with validate_certs: false)
      assertThat(get(trust, port, "/-/healthy", "exporter.example.org", "TLSv1.3"))
          .startsWith("HTTP/1.1 200");
    }
  }
}
