package io.qga.exporter.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.qga.client.AgentAddress;
import io.qga.client.AgentChannel;
import io.qga.client.AgentCommand;
import io.qga.client.protocol.AgentSession;
import io.qga.exporter.action.ActionExecutor;
import io.qga.exporter.action.TestDomains;
import io.qga.exporter.config.ApiConfig;
import io.qga.exporter.config.ApiToken;
import io.qga.exporter.config.Config;
import io.qga.exporter.config.ExecConfig;
import io.qga.exporter.config.Role;
import io.qga.exporter.config.ServerConfig;
import io.qga.exporter.config.TokenSource;
import io.qga.exporter.http.HttpEndpoint;
import io.qga.exporter.policy.PolicyEngine;
import io.qga.sim.SimulatedAgent;
import io.qga.sim.SimulatedGuest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The control API over real HTTP on a loopback port, in front of a real executor and simulated
 * guest agents on unix sockets (never the host's qemu-ga). Tokens: {@link #READER}, {@link
 * #OPERATOR}, {@link #ADMIN} by sha256, and "rotating" (operator) from a token file.
 */
final class ApiTestServer implements AutoCloseable {
  static final String READER = "reader-secret-0123456789";
  static final String OPERATOR = "operator-secret-0123456789";
  static final String ADMIN = "admin-secret-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();

  final Path dir;
  final Path stateDir;
  final Path tokenFile;
  final TestDomains domains = new TestDomains();
  final Map<String, SimulatedGuest> guests = new ConcurrentHashMap<>();
  final Map<String, CountingChannel> channels = new ConcurrentHashMap<>();
  private final List<SimulatedAgent> agents = new ArrayList<>();
  private final List<AgentSession> sessions = new ArrayList<>();
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  ActionExecutor executor;
  PolicyEngine policies;
  ControlApi api;
  HttpEndpoint http;
  Config config;

  /** The listener's idle and header timeouts; null: the defaults. */
  Duration listenerTimeout;

  ApiTestServer(Path stateDir) throws IOException {
    // unix socket paths are short: keep the sockets under /tmp
    this.dir = Files.createTempDirectory(Path.of("/tmp"), "qga-api-");
    this.stateDir = stateDir;
    this.tokenFile = dir.resolve("rotating.token");
    Files.writeString(tokenFile, "first-rotating-token\n");
  }

  static String sha256(String token) {
    return HexFormat.of().formatHex(Auth.sha256(token.getBytes(StandardCharsets.UTF_8)));
  }

  static List<ApiToken> tokens(Path tokenFile) {
    return List.of(
        new ApiToken("grafana", new TokenSource.Sha256(sha256(READER)), Role.READER),
        new ApiToken("ansible", new TokenSource.Sha256(sha256(OPERATOR)), Role.OPERATOR),
        new ApiToken("root", new TokenSource.Sha256(sha256(ADMIN)), Role.ADMIN),
        new ApiToken("rotating", new TokenSource.File(tokenFile), Role.OPERATOR));
  }

  ApiConfig apiConfig(List<ApiToken> tokens) {
    ApiConfig d = ApiConfig.DEFAULT;
    return new ApiConfig(
        tokens,
        List.of("guest-info", "guest-ping", "guest-get-*", "guest-network-get-*", "guest-fstrim"),
        d.fsfreezeDefaultDeadline(),
        Duration.ofMinutes(5),
        1024,
        d.jobRetention(),
        Duration.ofSeconds(20),
        ApiConfig.DEFAULT_MAX_LIVE_CALLS,
        Optional.empty(),
        ExecConfig.DEFAULT);
  }

  SimulatedGuest addGuest(String name) throws IOException {
    return addGuest(SimulatedGuest.builder(name).build());
  }

  SimulatedGuest addGuest(SimulatedGuest guest) throws IOException {
    SimulatedAgent agent = SimulatedAgent.start(dir.resolve(guest.domain() + ".sock"), guest);
    agents.add(agent);
    AgentSession session = new AgentSession(AgentAddress.unix(agent.socket()));
    sessions.add(session);
    CountingChannel channel = new CountingChannel(session);
    channels.put(guest.domain(), channel);
    guests.put(guest.domain(), guest);
    domains.add(guest.domain(), channel);
    return guest;
  }

  ApiTestServer start() throws IOException {
    return start(apiConfig(tokens(tokenFile)), Optional.empty(), null);
  }

  ApiTestServer start(
      ApiConfig apiConfig,
      Optional<TokenSource> metricsAuth,
      Function<ActionExecutor, PolicyEngine> engines)
      throws IOException {
    Config d = Config.defaults();
    config =
        new Config(
            new ServerConfig(d.server().listen(), Optional.empty(), metricsAuth),
            d.discovery(),
            d.agent(),
            d.collectors(),
            d.limits(),
            apiConfig,
            d.policyDefaults(),
            List.of(),
            stateDir);
    executor = ActionExecutor.open(stateDir, domains, Clock.systemUTC(), Map.of());
    PolicyEngine engine = engines == null ? null : engines.apply(executor);
    policies = engine;
    AtomicInteger reloads = new AtomicInteger();
    api =
        new ControlApi(
            config,
            domains,
            executor,
            engine,
            () -> reloads.incrementAndGet() > 0 ? List.of() : List.of("never"),
            io.qga.exporter.http.MetricsPage.of(new PrometheusRegistry()),
            Clock.systemUTC());
    api.start();
    HttpEndpoint.Builder b =
        HttpEndpoint.builder()
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .registry(new PrometheusRegistry())
            .domains(domains)
            .routes(api.routes())
            .threads(8);
    if (listenerTimeout != null) {
      b.timeouts(listenerTimeout, listenerTimeout);
    }
    http = b.start();
    return this;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + http.port() + path);
  }

  HttpResponse<String> call(String method, String path, String token, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
    return call("GET", path, token, null);
  }

  HttpResponse<String> post(String path, String token, String body)
      throws IOException, InterruptedException {
    return call("POST", path, token, body);
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  /** Stops HTTP, the API and the executor; the guests keep running (a restart test reuses them). */
  void stopExporter() {
    if (http != null) {
      http.close();
      http = null;
    }
    if (api != null) {
      api.close();
      api = null;
    }
    if (policies != null) {
      policies.close();
      policies = null;
    }
    if (executor != null) {
      executor.close();
      executor = null;
    }
  }

  @Override
  public void close() throws IOException {
    stopExporter();
    sessions.forEach(AgentSession::close);
    for (SimulatedAgent a : agents) {
      a.close();
    }
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(p);
      }
    }
    Files.deleteIfExists(dir);
  }

  static void await(BooleanSupplier condition, Duration within, String what)
      throws InterruptedException {
    long end = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(what + ": not within " + within);
      }
      Thread.sleep(10);
    }
  }

  /**
   * Counts commands in flight per name before they reach the session (whose lock serialises the
   * wire): two actions overlapping on the domain show as two in flight here.
   */
  static final class CountingChannel implements AgentChannel {
    private final AgentChannel delegate;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> max = new ConcurrentHashMap<>();

    CountingChannel(AgentChannel delegate) {
      this.delegate = delegate;
    }

    int maxInFlight(String command) {
      AtomicInteger m = max.get(command);
      return m == null ? 0 : m.get();
    }

    @Override
    public JsonNode execute(AgentCommand command, Duration deadline) {
      AtomicInteger n = inFlight.computeIfAbsent(command.name(), k -> new AtomicInteger());
      int now = n.incrementAndGet();
      max.computeIfAbsent(command.name(), k -> new AtomicInteger())
          .accumulateAndGet(now, Math::max);
      try {
        return delegate.execute(command, deadline);
      } finally {
        n.decrementAndGet();
      }
    }

    @Override
    public String describe() {
      return delegate.describe();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
