package io.qga.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.qga.exporter.Daemon;
import io.qga.exporter.config.ConfigLoader;
import io.qga.sim.SimulatedAgent;
import io.qga.sim.SimulatedGuest;
import io.qga.sim.testing.RealPrograms;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent --domain}: one command through a real daemon's control API while the daemon holds
 * the channel, with the exit codes of {@code agent --socket} and 4 for the exporter's refusals.
 */
class AgentDomainCliTest {
  private static final String ADMIN = "admin-token-1234";
  private static final String READER = "reader-token-5678";

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream savedOut;
  private PrintStream savedErr;
  private Path sockets;
  private SimulatedAgent agent;
  private Daemon daemon;
  private Path adminFile;
  private Path readerFile;

  @BeforeEach
  void capture() {
    savedOut = System.out;
    savedErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() throws Exception {
    System.setOut(savedOut);
    System.setErr(savedErr);
    if (daemon != null) {
      daemon.close();
    }
    if (agent != null) {
      agent.close();
    }
    if (sockets != null) {
      Files.deleteIfExists(sockets.resolve("web-1.sock"));
      Files.deleteIfExists(sockets);
    }
  }

  private static String sha256(String token) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
  }

  /** The daemon with one simulated guest web-1 and an admin and a reader token; tls: extra. */
  private String startDaemon(String tls) throws Exception {
    sockets = Files.createTempDirectory(Path.of("/tmp"), "qga-cli-");
    agent =
        SimulatedAgent.start(
            sockets.resolve("web-1.sock"), SimulatedGuest.builder("web-1").build());
    adminFile = dir.resolve("admin.token");
    readerFile = dir.resolve("reader.token");
    Files.writeString(adminFile, ADMIN + "\n");
    Files.writeString(readerFile, READER + "\n");
    Path config = dir.resolve("config.yaml");
    Files.writeString(
        config,
        "server:\n  listen: \"127.0.0.1:0\"\n"
            + tls
            + "discovery:\n  static:\n    - domain: web-1\n      socket: \""
            + agent.socket()
            + "\"\n"
            + "agent:\n  command_timeout: 1s\n"
            + "api:\n  tokens:\n"
            + "    - name: root\n      sha256: "
            + sha256(ADMIN)
            + "\n      role: admin\n"
            + "    - name: grafana\n      sha256: "
            + sha256(READER)
            + "\n      role: reader\n"
            + "state_dir: \""
            + dir.resolve("state")
            + "\"\n");
    daemon = Daemon.start(config, ConfigLoader.load(config), List.of());
    return (tls.isEmpty() ? "http" : "https") + "://127.0.0.1:" + daemon.port();
  }

  private int agentCli(String... args) {
    out.reset();
    err.reset();
    List<String> all = new ArrayList<>(List.of("agent"));
    all.addAll(List.of(args));
    return Main.execute(all.toArray(String[]::new));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void runsACommandThroughTheDaemonWhileItHoldsTheChannel() throws Exception {
    String url = startDaemon("");
    // the daemon's own connection first: then any later one would be a second client
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (agent.connectionsAccepted() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    int before = agent.connectionsAccepted();
    assertThat(
            agentCli(
                "--domain",
                "web-1",
                "--url",
                url,
                "--token-file",
                adminFile.toString(),
                "guest-get-host-name"))
        .as(err())
        .isZero();
    assertThat(out()).isEqualTo("{\"host-name\":\"web-1\"}" + System.lineSeparator());
    // went through the daemon's own connection: no second client on the channel
    assertThat(agent.connectionsAccepted()).isEqualTo(before);

    assertThat(
            agentCli(
                "--domain",
                "web-1",
                "--url",
                url + "/",
                "--token-file",
                adminFile.toString(),
                "{\"execute\": \"guest-ping\", \"arguments\": {}}"))
        .as(err())
        .isZero();
    assertThat(out()).isEqualTo("{}" + System.lineSeparator());
  }

  @Test
  void anAgentErrorExits1WithClassAndDescription() throws Exception {
    String url = startDaemon("");
    // allow-listed (guest-get-*), unknown to the agent
    assertThat(
            agentCli(
                "--domain",
                "web-1",
                "--url",
                url,
                "--token-file",
                adminFile.toString(),
                "guest-get-nothing"))
        .isEqualTo(1);
    assertThat(err()).startsWith("CommandNotFound: ").contains("guest-get-nothing");
    assertThat(out()).isEmpty();
  }

  @Test
  void aCommandOffTheAllowListExits4AndSaysSo() throws Exception {
    String url = startDaemon("");
    assertThat(
            agentCli(
                "--domain",
                "web-1",
                "--url",
                url,
                "--token-file",
                adminFile.toString(),
                "guest-suspend-ram"))
        .isEqualTo(DaemonCall.EXIT_HTTP);
    assertThat(err())
        .contains("403")
        .contains("guest-suspend-ram is not on api.command_allow_list");
    assertThat(agent.guest().poweredOn()).isTrue();
  }

  @Test
  void aBadTokenOrALowRoleOrAnUnknownDomainExits4AndNeverPrintsTheToken() throws Exception {
    String url = startDaemon("");
    Path wrong = dir.resolve("wrong.token");
    Files.writeString(wrong, "not-the-token-9999\n");
    assertThat(
            agentCli(
                "--domain", "web-1", "--url", url, "--token-file", wrong.toString(), "guest-ping"))
        .isEqualTo(DaemonCall.EXIT_HTTP);
    assertThat(err())
        .contains("refused the token")
        .contains("401")
        .doesNotContain("not-the-token-9999");

    assertThat(
            agentCli(
                "--domain",
                "web-1",
                "--url",
                url,
                "--token-file",
                readerFile.toString(),
                "guest-ping"))
        .isEqualTo(DaemonCall.EXIT_HTTP);
    assertThat(err()).contains("403").contains("role reader").doesNotContain(READER);

    assertThat(
            agentCli(
                "--domain",
                "db-9",
                "--url",
                url,
                "--token-file",
                adminFile.toString(),
                "guest-ping"))
        .isEqualTo(DaemonCall.EXIT_HTTP);
    assertThat(err()).contains("404").contains("unknown domain: db-9");
  }

  @Test
  void anAgentThatDoesNotAnswerExits3() throws Exception {
    String url = startDaemon("");
    agent.guest().setResponding(false);
    assertThat(
            agentCli(
                "--domain",
                "web-1",
                "--url",
                url,
                "--token-file",
                adminFile.toString(),
                "guest-ping"))
        .isEqualTo(3);
    assertThat(err()).contains("not responding");
  }

  @Test
  void noDaemonListeningExits4WithAClearMessage() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    Path token = dir.resolve("t");
    Files.writeString(token, ADMIN);
    assertThat(
            agentCli(
                "--domain",
                "web-1",
                "--url",
                "http://127.0.0.1:" + port,
                "--token-file",
                token.toString(),
                "guest-ping"))
        .isEqualTo(DaemonCall.EXIT_HTTP);
    assertThat(err())
        .contains("cannot connect to the exporter at http://127.0.0.1:" + port)
        .contains("qga-exporter run");
  }

  @Test
  void usageErrorsExit2BeforeAnyRequest() throws Exception {
    Path token = dir.resolve("t");
    Files.writeString(token, ADMIN);
    // a token in clear text to another host
    assertThat(
            agentCli(
                "--domain",
                "web-1",
                "--url",
                "http://192.0.2.7:9920",
                "--token-file",
                token.toString(),
                "guest-ping"))
        .isEqualTo(2);
    assertThat(err()).contains("refusing to send the API token in clear text to 192.0.2.7");
    assertThat(
            agentCli(
                "--domain",
                "web-1",
                "--url",
                "http://exporter.example:9920",
                "--token-file",
                token.toString(),
                "guest-ping"))
        .isEqualTo(2);
    assertThat(DaemonCall.loopback("127.0.0.1")).isTrue();
    assertThat(DaemonCall.loopback("[::1]")).isTrue();
    assertThat(DaemonCall.loopback("localhost")).isTrue();
    assertThat(DaemonCall.loopback("127.0.0.1.example")).isFalse();
    assertThat(DaemonCall.loopback("10.0.0.1")).isFalse();
    // options of --domain with --socket
    assertThat(
            agentCli(
                "--socket",
                dir.resolve("x.sock").toString(),
                "--url",
                "http://127.0.0.1:1",
                "guest-ping"))
        .isEqualTo(2);
    assertThat(err()).contains("go with --domain");
    // --domain and --socket together
    assertThat(agentCli("--socket", "/x", "--domain", "web-1", "guest-ping")).isEqualTo(2);
    // no such token file; an empty one
    assertThat(
            agentCli(
                "--domain", "web-1", "--token-file", dir.resolve("none").toString(), "guest-ping"))
        .isEqualTo(2);
    assertThat(err()).contains("cannot read --token-file");
    Path empty = dir.resolve("empty");
    Files.writeString(empty, "\n");
    assertThat(agentCli("--domain", "web-1", "--token-file", empty.toString(), "guest-ping"))
        .isEqualTo(2);
    assertThat(err()).contains("is empty");
  }

  @Test
  void theTokenComesFromTheFileElseTheEnvironment() throws Exception {
    assertThat(DaemonCall.token(null, " env-token\n")).isEqualTo("env-token");
    Path f = dir.resolve("f");
    Files.writeString(f, "file-token\n");
    assertThat(DaemonCall.token(f, "env-token")).isEqualTo("file-token");
    assertThatThrownBy(() -> DaemonCall.token(null, null))
        .hasMessageContaining("--token-file")
        .hasMessageContaining("QGA_EXPORTER_TOKEN");
    assertThatThrownBy(() -> DaemonCall.token(null, "two words"))
        .hasMessageContaining("$QGA_EXPORTER_TOKEN holds a character")
        .hasMessageNotContaining("two words");
  }

  @Test
  void sendsExactlyJsonAndFollowsNoRedirectWithTheToken() throws Exception {
    AtomicReference<String> contentType = new AtomicReference<>();
    AtomicReference<String> body = new AtomicReference<>();
    AtomicReference<String> redirectedAuth = new AtomicReference<>();
    HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    other.createContext(
        "/",
        ex -> {
          redirectedAuth.set(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
          ex.sendResponseHeaders(500, -1);
          ex.close();
        });
    HttpServer fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    fake.createContext(
        "/",
        ex -> {
          contentType.set(String.join("|", ex.getRequestHeaders().get("Content-Type")));
          try (InputStream in = ex.getRequestBody()) {
            body.set(new String(in.readAllBytes(), StandardCharsets.UTF_8));
          }
          ex.getResponseHeaders()
              .set("Location", "http://127.0.0.1:" + other.getAddress().getPort() + "/steal");
          ex.sendResponseHeaders(307, -1);
          ex.close();
        });
    other.start();
    fake.start();
    try {
      Path token = dir.resolve("t");
      Files.writeString(token, ADMIN);
      int code =
          agentCli(
              "--domain",
              "web 1",
              "--url",
              "http://127.0.0.1:" + fake.getAddress().getPort(),
              "--token-file",
              token.toString(),
              "{\"execute\":\"guest-fstrim\",\"arguments\":{\"minimum\":4096}}");
      assertThat(code).isEqualTo(DaemonCall.EXIT_HTTP);
      assertThat(contentType.get()).isEqualTo("application/json");
      assertThat(body.get())
          .isEqualTo("{\"execute\":\"guest-fstrim\",\"arguments\":{\"minimum\":4096}}");
      assertThat(redirectedAuth.get()).isNull();
      assertThat(err()).contains("307");
    } finally {
      fake.stop(0);
      other.stop(0);
    }
  }

  @Test
  void httpsWithTheExportersCaFile() throws Exception {
    Path openssl = RealPrograms.require("openssl");
    Process p =
        new ProcessBuilder(
                openssl.toString(),
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=qga-test",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                "tls.key",
                "-out",
                "tls.crt")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    try {
      String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(log).isZero();
    } finally {
      p.destroyForcibly();
    }
    String url =
        startDaemon(
            "  tls: {certificate: \""
                + dir.resolve("tls.crt")
                + "\", key: \""
                + dir.resolve("tls.key")
                + "\"}\n");
    assertThat(url).startsWith("https://");
    assertThat(
            agentCli(
                "--domain",
                "web-1",
                "--url",
                url,
                "--token-file",
                adminFile.toString(),
                "--ca-file",
                dir.resolve("tls.crt").toString(),
                "guest-get-host-name"))
        .as(err())
        .isZero();
    assertThat(out()).contains("web-1");
    // without the CA: the JDK's default trust refuses the self-signed certificate
    assertThat(
            agentCli(
                "--domain",
                "web-1",
                "--url",
                url,
                "--token-file",
                adminFile.toString(),
                "guest-ping"))
        .isEqualTo(DaemonCall.EXIT_HTTP);
    assertThat(err()).contains("TLS with " + url).contains("--ca-file");
  }
}
