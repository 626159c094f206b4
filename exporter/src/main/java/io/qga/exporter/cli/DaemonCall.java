package io.qga.exporter.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.AgentCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@code agent --domain NAME}: one command through the running daemon's control API ({@code POST
 * /api/v1/domains/{domain}/command}), for when the daemon holds the channel (a channel serves one
 * client). The daemon syncs, applies its {@code api.command_allow_list} and roles, and audits what
 * may change the guest. Exit codes as for {@code --socket}, plus {@link #EXIT_HTTP}.
 *
 * <p>The token never appears on the command line (other users see it in {@code ps}) nor in any
 * message; it is sent only over https or to a loopback address, and redirects are not followed.
 */
final class DaemonCall {
  /** The exporter could not be reached, refused the token or role, or does not know the domain. */
  static final int EXIT_HTTP = 4;

  static final String TOKEN_ENV = "QGA_EXPORTER_TOKEN";

  /** As the daemon's own limit on a token file. */
  static final int MAX_TOKEN = 4096;

  /** A reply larger than this is not the exporter's (its agent replies are bounded lower). */
  static final int MAX_REPLY = 64 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A problem with the options: exit 2. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  private final URI base;
  private final String token;
  private final HttpClient http;
  private final Duration timeout;

  private DaemonCall(URI base, String token, HttpClient http, Duration timeout) {
    this.base = base;
    this.token = token;
    this.http = http;
    this.timeout = timeout;
  }

  /**
   * Checks the options and builds the client.
   *
   * @param tokenEnv the value of {@value #TOKEN_ENV}, or null
   * @throws UsageException naming the option that is wrong
   */
  static DaemonCall open(String url, Path tokenFile, String tokenEnv, Path caFile, Duration timeout)
      throws UsageException {
    URI base = base(url);
    String token = token(tokenFile, tokenEnv);
    if (base.getScheme().equals("http") && !loopback(base.getHost())) {
      throw new UsageException(
          "refusing to send the API token in clear text to "
              + base.getHost()
              + ": use an https:// --url (with --ca-file for a private CA), or run this on the"
              + " exporter's host against 127.0.0.1");
    }
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(
                timeout.compareTo(Duration.ofSeconds(5)) < 0 ? timeout : Duration.ofSeconds(5));
    if (caFile != null) {
      if (!base.getScheme().equals("https")) {
        throw new UsageException("--ca-file is for an https:// --url; " + url + " is plain http");
      }
      b.sslContext(trusting(caFile));
    }
    return new DaemonCall(base, token, b.build(), timeout);
  }

  private static URI base(String url) throws UsageException {
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      throw new UsageException("--url " + url + " is not a URL: " + e.getMessage());
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new UsageException(
          "--url must start with http:// or https://, e.g. http://127.0.0.1:9920");
    }
    if (u.getHost() == null
        || u.getRawUserInfo() != null
        || u.getRawQuery() != null
        || u.getRawFragment() != null) {
      throw new UsageException(
          "--url must be http(s)://HOST[:PORT][/PREFIX], without user, query or fragment");
    }
    String path = u.getRawPath() == null ? "" : u.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    try {
      return new URI(scheme + "://" + u.getRawAuthority() + path);
    } catch (URISyntaxException e) {
      throw new UsageException("--url " + url + " is not a URL: " + e.getMessage());
    }
  }

  /** The token from the file, else from the environment; checked as a header value. */
  static String token(Path tokenFile, String tokenEnv) throws UsageException {
    String token;
    String from;
    if (tokenFile != null) {
      from = "--token-file " + tokenFile;
      byte[] bytes;
      try (InputStream in = Files.newInputStream(tokenFile)) {
        bytes = in.readNBytes(MAX_TOKEN + 1);
      } catch (IOException e) {
        throw new UsageException("cannot read " + from + ": " + e.getMessage());
      }
      if (bytes.length > MAX_TOKEN) {
        throw new UsageException(
            from + " is longer than " + MAX_TOKEN + " bytes: not a token file");
      }
      token = new String(bytes, StandardCharsets.UTF_8).strip();
    } else if (tokenEnv != null) {
      from = "$" + TOKEN_ENV;
      token = tokenEnv.strip();
    } else {
      throw new UsageException(
          "--domain needs an API token: --token-file FILE (a file holding it) or the environment"
              + " variable "
              + TOKEN_ENV
              + " (never the command line: other users see it in ps)");
    }
    if (token.isEmpty()) {
      throw new UsageException(from + " is empty");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        // never echo the token: say where it came from and what is wrong
        throw new UsageException(
            from + " holds a character a token cannot have (spaces, control or non-ASCII)");
      }
    }
    return token;
  }

  /**
   * {@code localhost} or a literal loopback address, decided without DNS: a name that resolves to
   * loopback now could resolve elsewhere when the client connects.
   */
  static boolean loopback(String host) {
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!h.matches("[0-9.]+") && !h.matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
      return false; // a name, not an address literal
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress(); // a literal: no lookup
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** An SSL context trusting only the certificates in the PEM file (a private CA). */
  private static SSLContext trusting(Path caFile) throws UsageException {
    try (InputStream in = Files.newInputStream(caFile)) {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new UsageException("--ca-file " + caFile + " holds no PEM certificate");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException e) {
      throw new UsageException("cannot read --ca-file " + caFile + ": " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new UsageException(
          "--ca-file " + caFile + " is not a PEM certificate file: " + e.getMessage());
    }
  }

  /** Sends the command and prints the outcome; returns the exit code. */
  int run(String domain, AgentCommand command, boolean pretty, PrintWriter out, PrintWriter err) {
    URI uri =
        URI.create(
            base
                + "/api/v1/domains/"
                + URLEncoder.encode(domain, StandardCharsets.UTF_8).replace("+", "%20")
                + "/command");
    ObjectNode body = JSON.createObjectNode();
    body.put("execute", command.name());
    if (command.arguments() != null) {
      body.set("arguments", command.arguments());
    }
    HttpResponse<InputStream> response;
    byte[] bytes;
    try {
      HttpRequest request =
          HttpRequest.newBuilder(uri)
              .timeout(timeout)
              .header("Content-Type", "application/json")
              .header("Accept", "application/json")
              .header("Authorization", "Bearer " + token)
              .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
              .build();
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        bytes = in.readNBytes(MAX_REPLY + 1);
      }
    } catch (HttpConnectTimeoutException e) {
      return fail(
          err,
          EXIT_HTTP,
          "cannot connect to the exporter at "
              + base
              + " within the timeout: is it listening there?");
    } catch (HttpTimeoutException e) {
      return fail(
          err,
          AgentCli.EXIT_NOT_RESPONDING,
          "the exporter at "
              + base
              + " gave no answer within "
              + timeout.toMillis()
              + " ms (raise --timeout)");
    } catch (ConnectException e) {
      return fail(
          err,
          EXIT_HTTP,
          "cannot connect to the exporter at "
              + base
              + " ("
              + (e.getMessage() == null ? "connection refused" : e.getMessage())
              + "): is `qga-exporter run` running, and is --url its server.listen address?");
    } catch (SSLException e) {
      return fail(
          err,
          EXIT_HTTP,
          "TLS with "
              + base
              + " failed: "
              + e.getMessage()
              + " (give the CA that signed the exporter's certificate with --ca-file)");
    } catch (IOException e) {
      return fail(err, EXIT_HTTP, "request to " + base + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail(err, AgentCli.EXIT_NOT_RESPONDING, "interrupted");
    }
    if (bytes.length > MAX_REPLY) {
      return fail(
          err, EXIT_HTTP, "the answer from " + base + " is larger than " + MAX_REPLY + " bytes");
    }
    return answer(response.statusCode(), bytes, pretty, out, err);
  }

  private int answer(int status, byte[] bytes, boolean pretty, PrintWriter out, PrintWriter err) {
    JsonNode reply;
    try {
      reply = JSON.readTree(bytes);
    } catch (IOException e) {
      reply = null;
    }
    if (reply == null || !reply.isObject()) {
      return fail(
          err,
          EXIT_HTTP,
          base + " answered " + status + " without the exporter's JSON: is --url the exporter?");
    }
    if (status == 200 && reply.has("return")) {
      try {
        JsonNode value = reply.get("return");
        out.println(
            pretty
                ? JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value)
                : JSON.writeValueAsString(value));
        out.flush();
        return AgentCli.EXIT_OK;
      } catch (JsonProcessingException e) {
        return fail(err, AgentCli.EXIT_NOT_RESPONDING, "cannot print the reply: " + e.getMessage());
      }
    }
    String message = reply.path("error").asText("status " + status);
    if ((status == 422 || status == 502) && reply.hasNonNull("class")) {
      err.println(reply.path("class").asText() + ": " + reply.path("desc").asText(message));
      err.flush();
      return AgentCli.EXIT_AGENT_ERROR;
    }
    return switch (status) {
      case 400 -> fail(err, AgentCli.EXIT_USAGE, "the exporter refused the request: " + message);
      case 401 ->
          fail(
              err,
              EXIT_HTTP,
              "the exporter refused the token (401: "
                  + message
                  + "): check --token-file or $"
                  + TOKEN_ENV
                  + " against the exporter's api.tokens");
      case 409, 502, 503, 504 -> {
        String tried = reply.path("tried").asText("");
        yield fail(
            err,
            AgentCli.EXIT_NOT_RESPONDING,
            message + (tried.isEmpty() ? "" : " (" + tried + ")"));
      }
      default -> fail(err, EXIT_HTTP, "the exporter answered " + status + ": " + message);
    };
  }

  private static int fail(PrintWriter err, int code, String message) {
    err.println("agent: " + message);
    err.flush();
    return code;
  }
}
