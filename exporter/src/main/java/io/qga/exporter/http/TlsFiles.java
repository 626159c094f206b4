package io.qga.exporter.http;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import io.qga.exporter.config.ClientAuth;
import io.qga.exporter.config.ServerConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;

/**
 * HTTPS for the listener from PEM files ({@code server.tls}), read with the JDK alone: a
 * certificate chain (leaf first) and its private key as PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}); encrypted keys are
 * refused with a hint. The key must match the certificate.
 *
 * <p>The files are checked for changes at most once a second, on new TLS handshakes: a renewed
 * certificate (certbot, an ACME client, a CA rotation) is served from the next connection on,
 * without a restart. A half-written pair (new certificate, old key) does not match and is ignored
 * until both files are in place; the old pair keeps being served meanwhile.
 *
 * <p>With {@code client_ca} and {@code client_auth}, client certificates are asked for and checked
 * against those CAs ({@link ClientCaTrust}, reloaded the same way).
 */
public final class TlsFiles {
  private static final Logger LOG = Logger.getLogger(TlsFiles.class.getName());
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

  /** PEM files larger than this are refused (a certificate chain is a few KiB). */
  static final int MAX_FILE = 1 << 20;

  private TlsFiles() {}

  /**
   * An {@link HttpsConfigurator} serving the configured certificate, reloading it when the files
   * change. TLS 1.2 and 1.3 only.
   *
   * @throws IOException naming the file and what is wrong with it
   */
  public static HttpsConfigurator configurator(ServerConfig.Tls tls) throws IOException {
    ReloadingKeyManager km =
        new ReloadingKeyManager(tls.certificate(), tls.key(), Clock.systemUTC());
    // client_ca: client certificates are checked against these CAs (reloaded like the pair)
    TrustManager[] clientCas =
        tls.clientCa().isEmpty()
            ? null
            : new TrustManager[] {new ClientCaTrust(tls.clientCa().get(), Clock.systemUTC())};
    SSLContext context;
    try {
      context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {km}, clientCas, null);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS: " + e.getMessage(), e);
    }
    ClientAuth clientAuth = tls.clientAuth();
    ClientCaTrust trust = clientCas == null ? null : (ClientCaTrust) clientCas[0];
    /*
     * The listener adds a configurator that is an SslHandshakeListener to its connector: every
     * finished handshake, resumed ones too, has its client certificate checked again.
     */
    final class Configurator extends HttpsConfigurator implements SslHandshakeListener {
      Configurator() {
        super(context);
      }

      @Override
      public void configure(HttpsParameters params) {
        SSLParameters p = getSSLContext().getDefaultSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        // require: no certificate (or one not from client_ca) fails the handshake; request: a
        // certificate is asked for, one that is sent must still chain to client_ca
        // (each setter clears the other: set exactly one)
        if (clientAuth == ClientAuth.REQUIRE) {
          p.setNeedClientAuth(true);
        } else {
          p.setWantClientAuth(clientAuth == ClientAuth.REQUEST);
        }
        params.setSSLParameters(p);
      }

      @Override
      public void handshakeSucceeded(SslHandshakeListener.Event event) throws SSLException {
        if (trust != null) {
          trust.recheck(event.getSSLEngine());
        }
      }
    }
    return new Configurator();
  }

  /** One loaded pair. */
  record Material(String alias, X509Certificate[] chain, PrivateKey key, Stamp stamp) {}

  /** What identifies a version of the two files. */
  record Stamp(Instant certModified, long certSize, Instant keyModified, long keySize) {
    static Stamp of(Path cert, Path key) throws IOException {
      BasicFileAttributes c = Files.readAttributes(cert, BasicFileAttributes.class);
      BasicFileAttributes k = Files.readAttributes(key, BasicFileAttributes.class);
      return new Stamp(
          c.lastModifiedTime().toInstant(), c.size(), k.lastModifiedTime().toInstant(), k.size());
    }
  }

  /** Reads and checks a pair. */
  static Material load(Path cert, Path key, String alias) throws IOException {
    Stamp stamp = Stamp.of(cert, key);
    List<X509Certificate> chain = readChain(cert);
    PrivateKey privateKey = readKey(key);
    if (!matches(privateKey, chain.get(0).getPublicKey())) {
      throw new IOException(
          "the private key in " + key + " does not belong to the certificate in " + cert);
    }
    return new Material(alias, chain.toArray(new X509Certificate[0]), privateKey, stamp);
  }

  static List<X509Certificate> readChain(Path file) throws IOException {
    List<X509Certificate> out = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (Pem pem : pems(file)) {
        if (pem.type().equals("CERTIFICATE")) {
          for (Certificate c : cf.generateCertificates(new ByteArrayInputStream(pem.der()))) {
            out.add((X509Certificate) c);
          }
        }
      }
    } catch (CertificateException e) {
      throw new IOException(file + ": not a valid PEM certificate: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new IOException(file + ": no -----BEGIN CERTIFICATE----- block");
    }
    return out;
  }

  static PrivateKey readKey(Path file) throws IOException {
    for (Pem pem : pems(file)) {
      switch (pem.type()) {
        case "PRIVATE KEY":
          return pkcs8(file, pem.der());
        case "RSA PRIVATE KEY":
          return pkcs8(file, DerKeys.wrapPkcs1(pem.der()));
        case "EC PRIVATE KEY":
          return pkcs8(file, DerKeys.wrapSec1(file, pem.der()));
        case "ENCRYPTED PRIVATE KEY":
          throw new IOException(
              file
                  + ": the key is encrypted; give an unencrypted key readable only by the exporter"
                  + " (openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem)");
        default:
          // parameters or certificates in the key file: skip
      }
    }
    throw new IOException(
        file
            + ": no -----BEGIN PRIVATE KEY----- (PKCS#8), RSA PRIVATE KEY or EC PRIVATE KEY block");
  }

  private record Pem(String type, byte[] der) {}

  private static List<Pem> pems(Path file) throws IOException {
    if (Files.size(file) > MAX_FILE) {
      throw new IOException(file + ": larger than " + MAX_FILE + " bytes, not a PEM file");
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    if (text.contains("Proc-Type: 4,ENCRYPTED")) {
      throw new IOException(
          file + ": the key is encrypted; give an unencrypted key readable only by the exporter");
    }
    List<Pem> out = new ArrayList<>();
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      try {
        out.add(new Pem(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
      } catch (IllegalArgumentException e) {
        throw new IOException(file + ": bad base64 in the " + m.group(1) + " block", e);
      }
    }
    return out;
  }

  private static PrivateKey pkcs8(Path file, byte[] der) throws IOException {
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IOException(file + ": a private key of an unknown or unsupported kind");
  }

  /** True when {@code key} signs what {@code publicKey} verifies. */
  static boolean matches(PrivateKey key, PublicKey publicKey) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "DSA" -> "SHA256withDSA";
          default -> key.getAlgorithm();
        };
    try {
      byte[] probe = "qga-exporter key check".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(probe);
      byte[] signature = s.sign();
      Signature v = Signature.getInstance(algorithm);
      v.initVerify(publicKey);
      v.update(probe);
      return v.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * Serves the current pair; on a handshake, at most once per {@link #CHECK_EVERY}, looks at the
   * files and loads them again when they changed. Each pair has its own alias, so one handshake
   * never mixes the chain of one pair with the key of another.
   */
  static final class ReloadingKeyManager extends X509ExtendedKeyManager {
    static final Duration CHECK_EVERY = Duration.ofSeconds(1);
    private final Path cert;
    private final Path key;
    private final Clock clock;
    private final AtomicLong generation = new AtomicLong();
    private final Map<String, Material> recent = new LinkedHashMap<>();
    private volatile Material current;
    private volatile Instant checkedAt;
    private Stamp failedStamp;

    ReloadingKeyManager(Path cert, Path key, Clock clock) throws IOException {
      this.cert = cert;
      this.key = key;
      this.clock = clock;
      Material m = load(cert, key, "qga-" + generation.incrementAndGet());
      remember(m);
      checkedAt = clock.instant();
    }

    /** The pair served now (tests). */
    Material current() {
      maybeReload();
      return current;
    }

    private synchronized void remember(Material m) {
      recent.put(m.alias(), m);
      while (recent.size() > 3) {
        recent.remove(recent.keySet().iterator().next());
      }
      current = m;
    }

    private void maybeReload() {
      Instant now = clock.instant();
      if (now.isBefore(checkedAt.plus(CHECK_EVERY))) {
        return;
      }
      synchronized (this) {
        if (now.isBefore(checkedAt.plus(CHECK_EVERY))) {
          return;
        }
        checkedAt = now;
        try {
          Stamp stamp = Stamp.of(cert, key);
          if (stamp.equals(current.stamp()) || stamp.equals(failedStamp)) {
            return;
          }
          Material m = load(cert, key, "qga-" + generation.incrementAndGet());
          remember(m);
          failedStamp = null;
          LOG.log(
              Level.INFO,
              "TLS certificate reloaded from "
                  + cert
                  + " ("
                  + m.chain()[0].getSubjectX500Principal()
                  + ", valid until "
                  + m.chain()[0].getNotAfter().toInstant()
                  + ")");
        } catch (IOException | RuntimeException e) {
          try {
            failedStamp = Stamp.of(cert, key);
          } catch (IOException ignored) {
            failedStamp = null;
          }
          LOG.log(
              Level.WARNING,
              "TLS files changed but cannot be used ("
                  + e.getMessage()
                  + "); still serving the"
                  + " previous certificate");
        }
      }
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      maybeReload();
      return current.alias();
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      maybeReload();
      return current.alias();
    }

    @Override
    public synchronized X509Certificate[] getCertificateChain(String alias) {
      Material m = recent.get(alias);
      return m == null ? null : m.chain().clone();
    }

    @Override
    public synchronized PrivateKey getPrivateKey(String alias) {
      Material m = recent.get(alias);
      return m == null ? null : m.key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return new String[] {current.alias()};
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }
}
