package io.qga.exporter.http;

import io.qga.exporter.config.RegularFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies TLS client certificates against the CAs of {@code tls.client_ca} (a PEM file of one or
 * more CA certificates), with the JDK's PKIX checks (chain, validity, key usage). Like the server
 * certificate, the file is looked at again at most once a second, on handshakes: a renewed or
 * rotated CA bundle applies from the next connection on; a file that no longer reads is logged and
 * the CAs loaded before keep being used.
 *
 * <p>Only client certificates are checked here: this manager never trusts a server.
 */
public final class ClientCaTrust extends X509ExtendedTrustManager {
  private static final Logger LOG = Logger.getLogger(ClientCaTrust.class.getName());
  static final Duration CHECK_EVERY = Duration.ofSeconds(1);

  /** A CA bundle larger than this is refused (the whole public web PKI is about 250 KiB). */
  static final int MAX_FILE = 1 << 20;

  private record Loaded(X509ExtendedTrustManager trust, X509Certificate[] cas, Stamp stamp) {}

  private record Stamp(FileTime modified, long size, Object fileKey) {
    static Stamp of(Path file) throws IOException {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Stamp(a.lastModifiedTime(), a.size(), a.fileKey());
    }
  }

  private final Path file;
  private final Clock clock;
  private volatile Loaded current;
  private volatile Instant checkedAt;
  private Stamp failedStamp;

  /**
   * @throws IOException naming the file when it cannot be read or holds no CA certificate
   */
  public ClientCaTrust(Path file, Clock clock) throws IOException {
    this.file = file;
    this.clock = clock;
    this.current = load(file);
    this.checkedAt = clock.instant();
  }

  /** The CAs in use now (tests, logs). */
  List<X509Certificate> cas() {
    maybeReload();
    return List.of(current.cas());
  }

  private static Loaded load(Path file) throws IOException {
    Stamp stamp = Stamp.of(file);
    byte[] bytes = RegularFile.read(file, MAX_FILE, "client CA file");
    List<X509Certificate> cas = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      cf.generateCertificates(new ByteArrayInputStream(bytes))
          .forEach(c -> cas.add((X509Certificate) c));
    } catch (CertificateException e) {
      throw new IOException(file + ": not a valid PEM certificate file: " + e.getMessage(), e);
    }
    if (cas.isEmpty()) {
      throw new IOException(file + ": no -----BEGIN CERTIFICATE----- block (client_ca)");
    }
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        ks.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(ks);
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager x) {
          return new Loaded(x, cas.toArray(new X509Certificate[0]), stamp);
        }
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new IOException(file + ": cannot use the CA certificates: " + e.getMessage(), e);
    }
    throw new IOException("the JDK has no PKIX trust manager");
  }

  /**
   * Checks the client certificate of a finished handshake against the CAs of now. A resumed TLS
   * session skips the certificate check: without this, a client whose CA was removed from {@code
   * client_ca} would keep getting in on a session from before (the JDK keeps them for a day).
   *
   * @throws SSLHandshakeException when the session's client certificate no longer chains to {@code
   *     client_ca}; the listener then closes the connection before any request
   */
  public void recheck(SSLEngine engine) throws SSLException {
    SSLSession session = engine.getSession();
    Certificate[] peer;
    try {
      peer = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return; // no certificate: client_auth request lets it in, require has refused it already
    }
    X509Certificate[] chain = new X509Certificate[peer.length];
    for (int i = 0; i < peer.length; i++) {
      chain[i] = (X509Certificate) peer[i];
    }
    try {
      trust().checkClientTrusted(chain, chain[0].getPublicKey().getAlgorithm());
    } catch (CertificateException | RuntimeException e) {
      throw new SSLHandshakeException(
          "client certificate "
              + chain[0].getSubjectX500Principal()
              + " is no longer trusted by "
              + file
              + ": "
              + e.getMessage());
    }
  }

  private X509ExtendedTrustManager trust() {
    maybeReload();
    return current.trust();
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
        Stamp stamp = Stamp.of(file);
        if (stamp.equals(current.stamp()) || stamp.equals(failedStamp)) {
          return;
        }
        current = load(file);
        failedStamp = null;
        LOG.log(
            Level.INFO,
            "client CA file " + file + " reloaded: " + current.cas().length + " CA certificate(s)");
      } catch (IOException | RuntimeException e) {
        try {
          failedStamp = Stamp.of(file);
        } catch (IOException ignored) {
          failedStamp = null;
        }
        LOG.log(
            Level.WARNING,
            "client CA file changed but cannot be used ("
                + e.getMessage()
                + "); still trusting"
                + " the CAs loaded before");
      }
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    trust().checkClientTrusted(chain, authType, engine);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    trust().checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    trust().checkClientTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("a listener's client CA trusts no server");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("a listener's client CA trusts no server");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("a listener's client CA trusts no server");
  }

  /**
   * The CAs named in the server's certificate request: clients pick a certificate from one of them,
   * so a rotated file must show here too (this runs first in every handshake).
   */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    maybeReload();
    return current.cas().clone();
  }
}
