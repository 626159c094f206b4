package io.qga.exporter.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.qga.exporter.action.ActionExecutor;
import io.qga.exporter.action.FreezeGuard;
import io.qga.exporter.api.Auth.Caller;
import io.qga.exporter.config.ApiConfig;
import io.qga.exporter.config.Config;
import io.qga.exporter.config.TokenSource;
import io.qga.exporter.http.HttpEndpoint;
import io.qga.exporter.http.HttpRoute;
import io.qga.exporter.policy.PolicyEngine;
import io.qga.exporter.runtime.DomainDirectory;
import io.qga.exporter.runtime.Timers;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The control API (docs/api.md): authenticated JSON endpoints under {@code /api/v1/} on the
 * daemon's listener, the authenticated {@code POST /-/reload}, and the optional token on {@code
 * /metrics}. Every action goes through the shared {@link ActionExecutor} with origin {@code
 * api:<token name>}; fsfreeze deadlines are kept by a {@link FreezeGuard} persisted in {@code
 * state_dir}.
 *
 * <p>{@link io.qga.exporter.Daemon} builds it on the same executor as the policy engine, so API and
 * policy runs share one audit log, one set of metrics and one per-domain lock.
 */
public final class ControlApi implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ControlApi.class.getName());
  static final String OPENAPI_RESOURCE = "/openapi.json";

  /** What a request is checked against; replaced whole on reload. */
  record Settings(ApiConfig api, Auth auth, Duration commandTimeout) {}

  private final HttpEndpoint.Reloader reloader;
  private final HttpHandler metricsPage;
  private final Optional<TokenSource> metricsAuth;
  private final FreezeGuard guard;
  private final DomainDirectory domains;
  private final AuthFailures failures;
  private final AuthFilter auth;
  private final ApiRouter router;
  private final ExecRequests execRequests = new ExecRequests();
  private volatile Settings settings;

  /**
   * @param policies the policy engine to list and run policies; null for none
   * @param reloader what {@code POST /-/reload} runs; null: the endpoint answers 404
   * @param metricsPage what {@code /metrics} serves when {@code server.metrics_auth} asks for a
   *     token
   */
  public ControlApi(
      Config config,
      DomainDirectory domains,
      ActionExecutor executor,
      PolicyEngine policies,
      HttpEndpoint.Reloader reloader,
      HttpHandler metricsPage,
      Clock clock) {
    this(config, domains, executor, policies, reloader, metricsPage, clock, null);
  }

  /**
   * @param timers the daemon's scheduler, for the fsfreeze deadlines; null: a scheduler of its own
   */
  public ControlApi(
      Config config,
      DomainDirectory domains,
      ActionExecutor executor,
      PolicyEngine policies,
      HttpEndpoint.Reloader reloader,
      HttpHandler metricsPage,
      Clock clock,
      Timers timers) {
    Objects.requireNonNull(domains, "domains");
    Objects.requireNonNull(executor, "executor");
    this.reloader = reloader;
    this.metricsPage = metricsPage;
    this.metricsAuth = config.server().metricsAuth();
    this.settings = settings(config);
    this.guard = new FreezeGuard(config.stateDir(), executor, clock, FreezeGuard.RETRY, timers);
    this.domains = domains;
    this.failures = new AuthFailures(clock);
    this.auth = new AuthFilter(() -> settings, failures);
    // requests that wait on a guest (api.max_live_calls): pings, the passthrough, ?wait=
    LiveCalls live = new LiveCalls();
    JobsHandler jobs = new JobsHandler(executor, live, clock);
    DomainsHandler domainsHandler = new DomainsHandler(domains, executor, guard, jobs, live, clock);
    GuestJobs guestJobs = new GuestJobs(executor, guard);
    this.router =
        new ApiRouter(
            () -> settings,
            auth,
            openapi(),
            domainsHandler,
            new CommandHandler(domainsHandler, executor, live),
            new ExecHandler(domainsHandler, guestJobs, live, execRequests),
            new FilesHandler(domainsHandler, guestJobs, live, execRequests),
            jobs,
            new PoliciesHandler(policies, domains, executor, clock));
  }

  private static Settings settings(Config config) {
    return new Settings(
        config.api(), new Auth(config.api().tokens()), config.agent().commandTimeout());
  }

  /** Thaws guests frozen before a restart (see {@link FreezeGuard}). */
  public void start() throws IOException {
    guard.start();
    domains.addListener(
        new io.qga.exporter.runtime.DomainListener() {
          @Override
          public void onAgentUp(io.qga.exporter.runtime.DomainHandle domain) {
            guard.retryNow(domain.name()); // a thaw backing off runs at once
          }
        });
    Settings s = settings;
    if (s.auth().enabled()) {
      LOG.log(Level.INFO, "control API on with tokens " + s.auth().names());
    } else {
      LOG.log(Level.INFO, "control API off: no api.tokens configured");
    }
  }

  /** The handlers to mount on the daemon's listener. */
  public List<HttpRoute> routes() {
    List<HttpRoute> routes = new ArrayList<>();
    routes.add(new HttpRoute("/api/", router));
    routes.add(new HttpRoute("/-/reload", this::reload));
    metricsAuth.ifPresent(
        source -> routes.add(new HttpRoute("/metrics", auth.metrics(source, metricsPage))));
    return routes;
  }

  /** A reloaded config: new tokens, allow-list and limits apply to the next request. */
  public void reconfigure(Config config) {
    settings = settings(config);
    if (!config.server().metricsAuth().equals(metricsAuth)) {
      LOG.log(Level.WARNING, "server.metrics_auth changed: takes effect after a restart");
    }
  }

  /**
   * Thaws the guests this exporter froze (a clean stop should not leave them to the next start),
   * then stops the deadline timers. The executor is the caller's to close, after this.
   */
  @Override
  public void close() {
    guard.thawAllNow(Duration.ofSeconds(10));
    guard.close();
  }

  /** {@code qga_api_auth_failures_total{reason}}: register it where /metrics reads. */
  public io.prometheus.metrics.model.registry.MultiCollector authFailureMetrics() {
    return failures;
  }

  /** {@code qga_exec_requests_total{kind, outcome}}: register it where /metrics reads. */
  public io.prometheus.metrics.model.registry.Collector execMetrics() {
    return execRequests.collector();
  }

  AuthFailures authFailures() {
    return failures;
  }

  FreezeGuard guardForTests() {
    return guard;
  }

  // --- /-/reload and /metrics ---------------------------------------------------------------

  private void reload(HttpExchange exchange) throws IOException {
    Reply reply;
    try {
      reply = reloadReply(exchange);
    } catch (ApiException e) {
      reply =
          new Reply(
              e.status(),
              e.body(),
              e.status() == 401
                  ? Map.of("WWW-Authenticate", "Bearer realm=\"qga-exporter\"")
                  : e.status() == 405 ? Map.of("Allow", "POST") : Map.of());
    }
    reply.send(exchange);
  }

  private Reply reloadReply(HttpExchange exchange) {
    if (!exchange.getRequestMethod().equals("POST")) {
      throw new ApiException(405, "use POST to reload the config");
    }
    Caller caller = auth.reloader(exchange);
    if (caller != null) {
      LOG.log(Level.INFO, "config reload asked by api:" + caller.name());
    }
    if (reloader == null) {
      throw ApiException.notFound("reload is not available");
    }
    List<String> problems = reloader.reload();
    if (problems.isEmpty()) {
      return new Reply(200, new Responses.Reloaded(true));
    }
    return new Reply(
        400,
        new Responses.NotReloaded(
            "config not reloaded, the old one keeps running", 400, false, List.copyOf(problems)));
  }

  private static byte[] openapi() {
    try (InputStream in = ControlApi.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + OPENAPI_RESOURCE);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + OPENAPI_RESOURCE, e);
    }
  }
}
