package io.qga.exporter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.qga.exporter.runtime.DomainDirectory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon's one listener: {@code /metrics} ({@link MetricsPage}: text, OpenMetrics and gzip
 * by content negotiation), the landing page {@code /}, {@code /-/healthy}, {@code /-/ready},
 * {@code POST /-/reload}, and any extra {@link HttpRoute} (the control API). We create the JDK
 * {@link HttpServer} ourselves (client_java's HTTPServer cannot take extra handlers).
 */
public final class HttpEndpoint implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(HttpEndpoint.class.getName());

  /** What {@code POST /-/reload} runs: the daemon's reload. */
  public interface Reloader {
    /** Reloads config; returns the problems that kept the old config running (empty: applied). */
    List<String> reload();
  }

  private final HttpServer server;
  private final ExecutorService executor;

  private HttpEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
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

  /** Stops at once: exchanges are short, and a waiting keep-alive client would hold stop(n) for n s. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** Collects the endpoint's parts; {@link #start()} binds. */
  public static final class Builder {
    private InetSocketAddress listen = new InetSocketAddress("0.0.0.0", 9920);
    private HttpsConfigurator https;
    private HttpHandler metrics = MetricsPage.of(PrometheusRegistry.defaultRegistry);
    private DomainDirectory domains;
    private BooleanSupplier ready = () -> true;
    private DiscoveryProblems problems = DiscoveryProblems.NONE;
    private Reloader reloader;
    private BooleanSupplier reloadAllowed = () -> true;
    private String version = "dev";
    private Clock clock = Clock.systemUTC();
    private final List<HttpRoute> routes = new ArrayList<>();
    private int threads = 4;

    public Builder listen(InetSocketAddress address) {
      this.listen = Objects.requireNonNull(address, "listen");
      return this;
    }

    /**
     * Serves HTTPS with this configurator instead of plain HTTP (server.tls). The caller builds
     * the SSLContext from the configured certificate and key.
     */
    public Builder https(HttpsConfigurator configurator) {
      this.https = configurator;
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
     * {@code POST /-/reload} runs {@code reloader} when {@code allowed} says so (the daemon:
     * when no api tokens are configured; with tokens the control API mounts an authenticated
     * {@code /-/reload} route instead), else answers 403.
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

    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    public HttpEndpoint start() throws IOException {
      HttpServer server;
      if (https != null) {
        HttpsServer s = HttpsServer.create(listen, 64);
        s.setHttpsConfigurator(https);
        server = s;
      } else {
        server = HttpServer.create(listen, 64);
      }
      Set<String> taken = new HashSet<>();
      for (HttpRoute r : routes) {
        if (!taken.add(r.prefix())) {
          throw new IllegalArgumentException("two HTTP routes for " + r.prefix());
        }
        server.createContext(r.prefix(), guard(r.handler()));
      }
      mount(server, taken, "/metrics", metrics);
      mount(server, taken, "/-/healthy", text(ex -> new Reply(200, "Healthy\n")));
      mount(
          server,
          taken,
          "/-/ready",
          text(ex -> readiness()));
      mount(server, taken, "/-/reload", text(this::reload));
      LandingPage page = new LandingPage(version, clock);
      mount(server, taken, "/", exchange -> landing(exchange, page));
      AtomicInteger n = new AtomicInteger();
      ExecutorService executor =
          Executors.newFixedThreadPool(
              threads,
              r -> {
                Thread t = new Thread(r, "http-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      server.setExecutor(executor);
      server.start();
      return new HttpEndpoint(server, executor);
    }

    private Reply readiness() {
      if (!ready.getAsBoolean()) {
        return new Reply(503, "Not ready: discovery has not run yet\n");
      }
      List<String> now = problems.now();
      return now.isEmpty()
          ? new Reply(200, "Ready\n")
          : new Reply(503, "Not ready: discovery cannot read every source:\n" + String.join("\n", now) + "\n");
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
          400, "Config not reloaded, the old one keeps running:\n" + String.join("\n", problems) + "\n");
    }

    private void landing(HttpExchange exchange, LandingPage page) throws IOException {
      String path = exchange.getRequestURI().getPath();
      if (!path.equals("/")) {
        send(exchange, 404, "text/plain; charset=utf-8", "Not found: " + path + "\n");
        return;
      }
      if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
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
  private static void mount(HttpServer server, Set<String> taken, String path, HttpHandler h) {
    if (taken.add(path)) {
      server.createContext(path, guard(h));
    }
  }

  /** Exact path for the built-ins (a context matches by prefix), and no exception leaks out. */
  private static HttpHandler guard(HttpHandler handler) {
    return exchange -> {
      try (exchange) {
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
