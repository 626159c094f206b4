package io.qga.exporter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.qga.exporter.runtime.DomainDirectory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon's one listener: {@code /metrics} ({@link MetricsPage}: text, OpenMetrics and gzip by
 * content negotiation), the landing page {@code /}, {@code /-/healthy}, {@code /-/ready}, {@code
 * POST /-/reload}, and any extra {@link HttpRoute} (the control API). The server is Jetty behind
 * the {@link HttpServer} API ({@link JettyListener}: slow clients cost a socket, not a thread);
 * client_java's HTTPServer cannot take extra handlers.
 *
 * <p>Paths are exact: {@code /metrics} serves {@code /metrics} only, not {@code /metricsX} or
 * {@code /metrics/x} (404); only a route whose prefix ends with {@code /} (the API's {@code /api/})
 * takes what lies under it. With {@code server.allowed_hosts} set, a request whose {@code Host} is
 * not listed gets 421 (a DNS-rebinding page in a browser names its own host).
 *
 * <p>With {@link Builder#api} ({@code api.listen}) a second listener, with the same limits and its
 * own TLS, serves the control API ({@code /api/...} and {@code /-/reload}) and nothing else; the
 * first one then answers those paths with 404 and a hint. So the API can sit on loopback or behind
 * client certificates while Prometheus scrapes the other port.
 */
public final class HttpEndpoint implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(HttpEndpoint.class.getName());

  /** What {@code POST /-/reload} runs: the daemon's reload. */
  public interface Reloader {
    /** Reloads config; returns the problems that kept the old config running (empty: applied). */
    List<String> reload();
  }

  /** The paths that go to the API's own listener when there is one. */
  static final List<String> API_PREFIXES = List.of("/api/", "/-/reload");

  private final HttpServer server;
  private final HttpServer apiServer;

  private HttpEndpoint(HttpServer server, HttpServer apiServer) {
    this.server = server;
    this.apiServer = apiServer;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The bound address (the real port when started on port 0). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The bound address of the API's own listener; empty when the API shares the first one. */
  public java.util.Optional<InetSocketAddress> apiAddress() {
    return java.util.Optional.ofNullable(apiServer).map(HttpServer::getAddress);
  }

  /**
   * Stops at once: exchanges are short, and a waiting keep-alive client would hold stop(n) for n s.
   */
  @Override
  public void close() {
    try {
      server.stop(0);
    } finally {
      if (apiServer != null) {
        apiServer.stop(0);
      }
    }
  }

  /** Collects the endpoint's parts; {@link #start()} binds. */
  public static final class Builder {
    private InetSocketAddress listen = new InetSocketAddress("0.0.0.0", 9920);
    private HttpsConfigurator https;
    private InetSocketAddress apiListen;
    private HttpsConfigurator apiHttps;
    private HttpHandler metrics = MetricsPage.of(PrometheusRegistry.defaultRegistry);
    private DomainDirectory domains;
    private BooleanSupplier ready = () -> true;
    private DiscoveryProblems problems = DiscoveryProblems.NONE;
    private Reloader reloader;
    private BooleanSupplier reloadAllowed = () -> true;
    private String version = "dev";
    private Clock clock = Clock.systemUTC();
    private final List<HttpRoute> routes = new ArrayList<>();
    private int threads = JettyListener.Limits.DEFAULT.threads();
    private int maxConnections = JettyListener.Limits.DEFAULT.maxConnections();
    private Duration idleTimeout = JettyListener.Limits.DEFAULT.idleTimeout();
    private Duration headerTimeout = JettyListener.Limits.DEFAULT.headerTimeout();
    private Set<String> allowedHosts = Set.of();

    public Builder listen(InetSocketAddress address) {
      this.listen = Objects.requireNonNull(address, "listen");
      return this;
    }

    /**
     * Serves HTTPS with this configurator instead of plain HTTP (server.tls). The caller builds the
     * SSLContext from the configured certificate and key.
     */
    public Builder https(HttpsConfigurator configurator) {
      this.https = configurator;
      return this;
    }

    /**
     * Serves the control API ({@link #API_PREFIXES}) on a listener of its own at {@code listen}
     * ({@code api.listen}), HTTPS with {@code https} when not null ({@code api.tls}); the first
     * listener answers those paths with 404.
     */
    public Builder api(InetSocketAddress listen, HttpsConfigurator https) {
      this.apiListen = Objects.requireNonNull(listen, "listen");
      this.apiHttps = https;
      return this;
    }

    /** {@code /metrics} serves only this registry. */
    public Builder registry(PrometheusRegistry registry) {
      this.metrics = MetricsPage.of(Objects.requireNonNull(registry, "registry"));
      return this;
    }

    /** What {@code /metrics} serves. */
    public Builder metrics(HttpHandler metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /** The domains listed on the landing page. */
    public Builder domains(DomainDirectory domains) {
      this.domains = domains;
      return this;
    }

    /** {@code /-/ready} answers 200 once this is true (after the first discovery). */
    public Builder ready(BooleanSupplier ready) {
      this.ready = Objects.requireNonNull(ready, "ready");
      return this;
    }

    /** While discovery reports problems, {@code /-/ready} answers 503 naming them. */
    public Builder discoveryProblems(DiscoveryProblems problems) {
      this.problems = Objects.requireNonNull(problems, "problems");
      return this;
    }

    /**
     * {@code POST /-/reload} runs {@code reloader} when {@code allowed} says so (the daemon: when
     * no api tokens are configured; with tokens the control API mounts an authenticated {@code
     * /-/reload} route instead), else answers 403.
     */
    public Builder reload(Reloader reloader, BooleanSupplier allowed) {
      this.reloader = reloader;
      this.reloadAllowed = Objects.requireNonNull(allowed, "allowed");
      return this;
    }

    public Builder version(String version) {
      this.version = Objects.requireNonNull(version, "version");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Adds extra handlers (the control API under {@code /api/}). */
    public Builder routes(List<HttpRoute> extra) {
      routes.addAll(extra);
      return this;
    }

    /** The most threads serving requests (at least 8); slow clients take none of them. */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /** The most connections open at once; beyond that new ones wait in the kernel's backlog. */
    public Builder maxConnections(int maxConnections) {
      this.maxConnections = maxConnections;
      return this;
    }

    /**
     * A connection silent for {@code idle} is closed; one whose first request's headers are not
     * complete within {@code header} is closed.
     */
    public Builder timeouts(Duration idle, Duration header) {
      this.idleTimeout = Objects.requireNonNull(idle, "idle");
      this.headerTimeout = Objects.requireNonNull(header, "header");
      return this;
    }

    /**
     * {@code server.allowed_hosts}: when not empty, only requests whose {@code Host} header
     * (without its port) is one of these, compared ignoring case, are served; others get 421.
     */
    public Builder allowedHosts(Collection<String> hosts) {
      Set<String> s = new HashSet<>();
      hosts.forEach(h -> s.add(h.toLowerCase(Locale.ROOT)));
      this.allowedHosts = Set.copyOf(s);
      return this;
    }

    public HttpEndpoint start() throws IOException {
      JettyListener.Limits limits =
          new JettyListener.Limits(threads, maxConnections, idleTimeout, headerTimeout);
      HttpServer server = JettyListener.bind(listen, https, limits);
      HttpServer api = null;
      try {
        api = apiListen == null ? null : JettyListener.bind(apiListen, apiHttps, limits);
        mountAll(server, api);
        server.start();
        if (api != null) {
          api.start();
        }
      } catch (RuntimeException | IOException e) {
        server.stop(0);
        if (api != null) {
          api.stop(0);
        }
        if (e instanceof IllegalArgumentException) {
          throw e;
        }
        throw new IOException(
            "cannot listen on "
                + listen
                + (apiListen == null ? "" : " and " + apiListen)
                + ": "
                + e.getMessage(),
            e);
      }
      return new HttpEndpoint(server, api);
    }

    /** Every route on its listener: API paths on {@code api} when there is one. */
    private void mountAll(HttpServer server, HttpServer api) {
      Set<String> taken = new HashSet<>();
      Set<String> apiTaken = new HashSet<>();
      Set<String> hosts = allowedHosts;
      for (HttpRoute r : routes) {
        boolean toApi = api != null && API_PREFIXES.contains(r.prefix());
        if (!(toApi ? apiTaken : taken).add(r.prefix())) {
          throw new IllegalArgumentException("two HTTP routes for " + r.prefix());
        }
        createContext(toApi ? api : server, r.prefix(), guard(r.prefix(), r.handler(), hosts));
      }
      if (api != null) {
        mount(api, apiTaken, hosts, "/-/reload", text(this::reload));
        mount(
            api,
            apiTaken,
            hosts,
            "/",
            text(
                ex ->
                    new Reply(
                        404,
                        "Not found: this listener (api.listen) serves only the control API under"
                            + " /api/ and POST /-/reload; /metrics, /-/healthy and /-/ready are on"
                            + " server.listen\n")));
        for (String prefix : API_PREFIXES) {
          mount(
              server,
              taken,
              hosts,
              prefix,
              text(
                  ex ->
                      new Reply(
                          404,
                          "Not found: the control API (/api/, /-/reload) is served on its own"
                              + " listener (api.listen), not here\n")));
        }
      }
      mount(server, taken, hosts, "/metrics", metrics);
      mount(server, taken, hosts, "/-/healthy", text(ex -> new Reply(200, "Healthy\n")));
      mount(server, taken, hosts, "/-/ready", text(ex -> readiness()));
      mount(server, taken, hosts, "/-/reload", text(this::reload));
      LandingPage page = new LandingPage(version, clock);
      mount(server, taken, hosts, "/", exchange -> landing(exchange, page));
    }

    private Reply readiness() {
      if (!ready.getAsBoolean()) {
        return new Reply(503, "Not ready: discovery has not run yet\n");
      }
      List<String> now = problems.now();
      return now.isEmpty()
          ? new Reply(200, "Ready\n")
          : new Reply(
              503,
              "Not ready: discovery cannot read every source:\n" + String.join("\n", now) + "\n");
    }

    private Reply reload(HttpExchange exchange) {
      if (!exchange.getRequestMethod().equals("POST")) {
        exchange.getResponseHeaders().set("Allow", "POST");
        return new Reply(405, "Use POST to reload the config\n");
      }
      if (reloader == null) {
        return new Reply(404, "Reload is not available\n");
      }
      if (!reloadAllowed.getAsBoolean()) {
        return new Reply(403, "Reload needs an admin token of the control API\n");
      }
      List<String> problems = reloader.reload();
      if (problems.isEmpty()) {
        return new Reply(200, "Config reloaded\n");
      }
      return new Reply(
          400,
          "Config not reloaded, the old one keeps running:\n" + String.join("\n", problems) + "\n");
    }

    private void landing(HttpExchange exchange, LandingPage page) throws IOException {
      String path = exchange.getRequestURI().getPath();
      if (!path.equals("/")) {
        send(exchange, 404, "text/plain; charset=utf-8", "Not found: " + path + "\n");
        return;
      }
      if (!exchange.getRequestMethod().equals("GET")
          && !exchange.getRequestMethod().equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        send(exchange, 405, "text/plain; charset=utf-8", "Method not allowed\n");
        return;
      }
      String html =
          page.render(
              domains == null ? List.of() : domains.all(), ready.getAsBoolean(), problems.now());
      send(exchange, 200, "text/html; charset=utf-8", html);
    }
  }

  private record Reply(int status, String body) {}

  private interface TextHandler {
    Reply handle(HttpExchange exchange) throws IOException;
  }

  private static HttpHandler text(TextHandler handler) {
    return exchange -> {
      Reply reply = handler.handle(exchange);
      send(exchange, reply.status(), "text/plain; charset=utf-8", reply.body());
    };
  }

  /** Built-in routes do not replace an extra route with the same prefix. */
  private static void mount(
      HttpServer server, Set<String> taken, Set<String> hosts, String path, HttpHandler h) {
    if (taken.add(path)) {
      createContext(server, path, guard(path, h, hosts));
    }
  }

  /** Jetty's context paths carry no trailing slash; "/api/" still takes everything under /api/. */
  private static void createContext(HttpServer server, String prefix, HttpHandler h) {
    String path =
        prefix.length() > 1 && prefix.endsWith("/")
            ? prefix.substring(0, prefix.length() - 1)
            : prefix;
    server.createContext(path, h);
  }

  /**
   * The allowed hosts, then the exact path ({@code prefix} itself, or anything under it when it
   * ends with '/'; "/" is the landing page's own check), and no exception leaks out.
   */
  private static HttpHandler guard(String prefix, HttpHandler handler, Set<String> hosts) {
    return exchange -> {
      try (exchange) {
        String path = exchange.getRequestURI().getPath();
        if (!hosts.isEmpty()
            && !hosts.contains(hostOf(exchange.getRequestHeaders().getFirst("Host")))) {
          send(
              exchange,
              421,
              "text/plain; charset=utf-8",
              "Misdirected request: this server does not answer for that Host"
                  + " (server.allowed_hosts)\n");
          return;
        }
        boolean under = prefix.endsWith("/");
        if (path == null || (under ? !path.startsWith(prefix) : !path.equals(prefix))) {
          send(exchange, 404, "text/plain; charset=utf-8", "Not found\n");
          return;
        }
        handler.handle(exchange);
      } catch (IOException e) {
        LOG.log(Level.FINE, "HTTP client went away", e);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "HTTP handler failed on " + exchange.getRequestURI(), e);
        try {
          send(exchange, 500, "text/plain; charset=utf-8", "Internal error\n");
        } catch (IOException | RuntimeException ignored) {
          // response already started
        }
      }
    };
  }

  /** The host of a Host header, lowercase, without port or IPv6 brackets; "" when absent. */
  static String hostOf(String header) {
    if (header == null) {
      return "";
    }
    String h = header.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(1, end);
    }
    int colon = h.indexOf(':');
    return colon < 0 ? h : h.substring(0, colon);
  }

  static void send(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
