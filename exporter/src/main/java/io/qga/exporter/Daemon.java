package io.qga.exporter;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.qga.collectors.Collectors;
import io.qga.exporter.action.ActionExecutor;
import io.qga.exporter.api.ApiRequests;
import io.qga.exporter.api.ControlApi;
import io.qga.exporter.config.ApiListener;
import io.qga.exporter.config.CollectorsConfig;
import io.qga.exporter.config.Config;
import io.qga.exporter.config.ConfigException;
import io.qga.exporter.config.ConfigLoader;
import io.qga.exporter.config.ConfigProblem;
import io.qga.exporter.config.ServerConfig;
import io.qga.exporter.discovery.DiscoveryMetrics;
import io.qga.exporter.http.HttpEndpoint;
import io.qga.exporter.http.HttpRoute;
import io.qga.exporter.http.MetricsPage;
import io.qga.exporter.http.TlsFiles;
import io.qga.exporter.policy.PolicyEngine;
import io.qga.exporter.poll.PollSettings;
import io.qga.exporter.poll.Poller;
import io.qga.exporter.poll.PollerMetrics;
import io.qga.exporter.runtime.DomainDirectory;
import io.qga.exporter.runtime.Timers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The running exporter, built in {@link #startAll} in this order, each part handed what it needs:
 * config -> discovery (every {@code discovery.refresh_interval}) -> poller (Quartz, per-domain
 * serial queues) -> action executor (audit log and state in {@code state_dir}) -> policy engine ->
 * control API -> HTTP listener ({@code /metrics}, landing page, health, reload, {@code /api/}).
 * There is one executor: API and policy runs on a domain share its audit log, metrics and
 * per-domain lock. One {@link Timers} (Quartz) fires everything timed: poll ticks, probes, the
 * discovery refresh, policy schedules, fsfreeze deadlines (docs/design.md, "Scheduling").
 *
 * <p>{@link #reload()} (SIGHUP, {@code POST /-/reload}) reads the config file again: a bad file
 * keeps the old config running and sets {@code qga_config_last_reload_successful} to 0; a good one
 * is applied (discovery, intervals, timeouts, limits, extensions) without dropping the state of
 * domains that stay. {@code server.*} and {@code discovery.libvirt.uri} need a restart.
 */
public final class Daemon implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Daemon.class.getName());

  private final Path configFile;
  private final Clock clock;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final BuildInfo build = BuildInfo.current();
  private final Timers timers;
  private final Poller poller;
  private final DomainFinder finder;
  private final List<Consumer<Config>> reloadHooks;
  private ActionExecutor executor;
  private PolicyEngine engine;
  private ControlApi api;
  private volatile Config config;
  private volatile boolean lastReloadOk = true;
  private HttpEndpoint http;
  private boolean closed;

  private Daemon(Path configFile, Config config, Clock clock, List<Consumer<Config>> reloadHooks) {
    this.configFile = configFile;
    this.reloadHooks = List.copyOf(reloadHooks);
    this.config = config;
    this.clock = clock;
    this.timers = Timers.start("exporter");
    this.poller =
        new Poller(Collectors.all(), pollSettings(config), Poller.DEFAULT_WORKERS, clock, timers);
    this.finder = new DomainFinder(timers, poller, () -> this.config);
  }

  /**
   * Starts everything: the poller, the first discovery (synchronously, so {@code /-/ready} is true
   * once this returns), the action executor, the policy engine, the control API, then the listener.
   *
   * @param configFile read again by {@link #reload()}; null when the config was built in code (the
   *     demo), which makes reload a no-op that reports so
   * @param reloadHooks told about each reloaded config after the daemon's own parts (the {@code
   *     run} command's log settings); must not throw
   * @throws IOException the listener could not bind; nothing is left running
   */
  public static Daemon start(Path configFile, Config config, List<Consumer<Config>> reloadHooks)
      throws IOException {
    Daemon d = new Daemon(configFile, config, Clock.systemUTC(), reloadHooks);
    try {
      d.startAll();
      return d;
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    }
  }

  /** As {@link #start(Path, Config, List)} with no reload hooks. */
  public static Daemon start(Path configFile, Config config) throws IOException {
    return start(configFile, config, List.of());
  }

  private void startAll() throws IOException {
    PollerMetrics pollerMetrics = new PollerMetrics(poller);
    registry.register(pollerMetrics);
    registry.register(daemonMetrics());
    // process_* and jvm_*: the exporter's own CPU, memory, threads and GC, from client_java
    JvmMetrics.builder().register(registry);
    MetricsPage metricsPage = new MetricsPage(registry, pollerMetrics::domainSeries);
    poller.start();
    finder.open(config);
    finder.refresh();
    finder.schedule(config.discovery().refreshInterval());
    // one executor for API and policies: one audit log, one set of metrics, one lock per domain
    executor =
        ActionExecutor.open(
            config.stateDir(), poller, clock, PolicyEngine.actionLimits(config.policyDefaults()));
    registry.register(executor.metrics());
    engine = new PolicyEngine(config.policies(), config.policyDefaults(), poller, executor, timers);
    api =
        new ControlApi(
            config, poller, executor, engine, this::reloadProblems, metricsPage, clock, timers);
    // qga_api_requests_total counts /api/ and /-/reload as answered
    ApiRequests requests = new ApiRequests(registry);
    registry.register(api.authFailureMetrics());
    registry.register(api.execMetrics());
    List<HttpRoute> routes = requests.counting(api.routes());
    engine.start();
    api.start();
    InetSocketAddress listen = config.server().listen().socketAddress();
    HttpEndpoint.Builder builder =
        HttpEndpoint.builder()
            .listen(listen)
            .metrics(metricsPage)
            .domains(poller)
            .ready(finder::ready)
            .discoveryProblems(() -> finder.discovery().problems())
            .version(version())
            .clock(clock)
            // Without api tokens there is no one to authenticate; with tokens the control API
            // mounts its own /-/reload route (admin) over this one.
            .reload(this::reloadProblems, () -> this.config.api().tokens().isEmpty())
            .routes(routes)
            .allowedHosts(config.server().allowedHosts())
            .maxConnections(config.server().limits().maxConnections())
            .timeouts(
                config.server().limits().idleTimeout(), config.server().limits().headerTimeout());
    if (config.server().tls().isPresent()) {
      // HTTPS from the PEM files, picked up again when they change (certificate renewal).
      builder.https(TlsFiles.configurator(config.server().tls().get()));
    }
    Optional<ApiListener> apiListener = config.api().listener();
    if (apiListener.isPresent()) {
      // api.listen: the control API on a listener of its own, with its own TLS (api.tls)
      Optional<ServerConfig.Tls> apiTls = apiListener.get().tls();
      builder.api(
          apiListener.get().listen().socketAddress(),
          apiTls.isPresent() ? TlsFiles.configurator(apiTls.get()) : null);
    }
    http = builder.start();
    LOG.info(
        () ->
            "qga-exporter "
                + version()
                + " listening on "
                + (config.server().tls().isPresent() ? "https://" : "http://")
                + hostPort(http.address())
                + "/ ("
                + config.summary()
                + ")"
                + http.apiAddress()
                    .map(
                        a ->
                            "; control API on "
                                + (apiListener.get().tls().isPresent() ? "https://" : "http://")
                                + hostPort(a)
                                + "/api/")
                    .orElse(""));
    warn(configFile, config);
  }

  /** Logs what check-config warns about (valid but risky settings), at start and reload. */
  private static void warn(Path file, Config config) {
    io.qga.exporter.config.ConfigWarnings.of(config)
        .forEach(w -> LOG.warning(() -> file + ": " + w));
  }

  /** The bound port (the real one when server.listen asked for port 0). */
  public int port() {
    return http.port();
  }

  /** The bound port of the API's own listener (api.listen); empty when the API is on port(). */
  public OptionalInt apiPort() {
    return http.apiAddress().map(a -> OptionalInt.of(a.getPort())).orElse(OptionalInt.empty());
  }

  public DomainDirectory domains() {
    return poller;
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  public Config config() {
    return config;
  }

  /** True once the first discovery has run. */
  public boolean ready() {
    return finder.ready();
  }

  /**
   * Reads the config file again and applies it; a bad one keeps the old config running.
   *
   * @return true when the new config was applied
   */
  public boolean reload() {
    return reloadProblems().isEmpty();
  }

  /**
   * As {@link #reload}, answering what kept the new config out: each problem with the file and its
   * YAML path; empty when it was applied.
   */
  public synchronized List<String> reloadProblems() {
    if (closed) {
      return List.of("the daemon is stopping");
    }
    if (configFile == null) {
      return List.of("no config file to reload (the config was built in code)");
    }
    Config next;
    try {
      next = ConfigLoader.load(configFile);
    } catch (ConfigException e) {
      lastReloadOk = false;
      List<String> problems = new ArrayList<>();
      for (ConfigProblem p : e.problems()) {
        problems.add(configFile + ": " + p);
      }
      LOG.warning(
          () -> "config not reloaded, the old one keeps running: " + String.join("; ", problems));
      return problems;
    }
    apply(next);
    lastReloadOk = true;
    LOG.info(() -> "config reloaded from " + configFile + " (" + next.summary() + ")");
    warn(configFile, next);
    return List.of();
  }

  private void apply(Config next) {
    Config old = config;
    if (!next.server().equals(old.server())) {
      LOG.warning("server.* changed: the listener keeps its old settings until a restart");
    }
    if (!next.api().listener().equals(old.api().listener())) {
      LOG.warning(
          "api.listen or api.tls changed: the API's listener keeps its old settings until a"
              + " restart");
    }
    config = next;
    poller.apply(pollSettings(next));
    if (!next.discovery().libvirt().uri().equals(old.discovery().libvirt().uri())) {
      LOG.warning("discovery.libvirt.uri changed: takes effect after a restart");
    }
    finder.apply(next, old);
    try {
      engine.update(next.policies(), next.policyDefaults());
      api.reconfigure(next);
    } catch (RuntimeException ex) {
      LOG.log(
          Level.WARNING,
          "the policy engine or the control API failed to apply the reloaded config",
          ex);
    }
    for (Consumer<Config> hook : reloadHooks) {
      try {
        hook.accept(next);
      } catch (RuntimeException ex) {
        LOG.log(Level.WARNING, "a reload hook failed to apply the reloaded config", ex);
      }
    }
  }

  /**
   * Stops the listener, the policy engine, the control API (which thaws what it froze), the
   * executor (letting running actions finish), discovery and the poller (closing every channel).
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (http != null) {
      http.close();
    }
    if (engine != null) {
      closeQuietly(engine, "the policy engine");
    }
    if (api != null) {
      closeQuietly(api, "the control API");
    }
    if (executor != null) {
      closeQuietly(executor, "the action executor");
    }
    finder.stop();
    poller.close();
    timers.close();
    finder.closeLibvirt();
    LOG.info("qga-exporter stopped");
  }

  private static void closeQuietly(AutoCloseable part, String what) {
    try {
      part.close();
    } catch (Exception ex) {
      LOG.log(Level.WARNING, what + " failed to stop", ex);
    }
  }

  // --- metrics -------------------------------------------------------------------------------

  /** What config gives the poller: enabled collectors and their intervals, timeouts, limits. */
  public static PollSettings pollSettings(Config config) {
    Map<String, Duration> intervals = new LinkedHashMap<>();
    CollectorsConfig collectors = config.collectors();
    for (String name : CollectorsConfig.NAMES) {
      if (collectors.enabled(name)) {
        intervals.put(name, collectors.interval(name));
      }
    }
    return PollSettings.of(intervals)
        .withCommandTimeout(config.agent().commandTimeout())
        .withBackoffMax(config.agent().backoffMax())
        .withLimits(config.limits());
  }

  private MultiCollector daemonMetrics() {
    return () ->
        MetricSnapshots.of(
            build.snapshot(),
            GaugeSnapshot.builder()
                .name("qga_config_last_reload_successful")
                .help(
                    "1 when the last config reload succeeded (or none was tried), 0 when it failed")
                .dataPoint(GaugeDataPointSnapshot.builder().value(lastReloadOk ? 1 : 0).build())
                .build(),
            DiscoveryMetrics.dropped(finder.discovery()),
            DiscoveryMetrics.errors(finder.discovery()));
  }

  /** The jar's Implementation-Version, or "dev" when run from classes. */
  public static String version() {
    String v = Daemon.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static String hostPort(InetSocketAddress a) {
    String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    if (host.indexOf(':') >= 0) {
      host = "[" + host + "]";
    }
    return host + ":" + a.getPort();
  }
}
