package io.qga.exporter;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.qga.client.AgentChannel;
import io.qga.client.protocol.AgentSession;
import io.qga.collectors.Collectors;
import io.qga.exporter.api.TlsFiles;
import io.qga.exporter.config.Config;
import io.qga.exporter.config.ConfigException;
import io.qga.exporter.config.ConfigLoader;
import io.qga.exporter.config.ConfigProblem;
import io.qga.exporter.config.CollectorsConfig;
import io.qga.exporter.config.ApiListener;
import io.qga.exporter.config.ServerConfig;
import io.qga.exporter.discovery.DiscoveredDomain;
import io.qga.exporter.discovery.Discovery;
import io.qga.exporter.discovery.DiscoveryMetrics;
import io.qga.exporter.discovery.LibvirtConnection;
import io.qga.exporter.discovery.Route;
import io.qga.exporter.http.HttpEndpoint;
import io.qga.exporter.http.HttpRoute;
import io.qga.exporter.poll.PollSettings;
import io.qga.exporter.poll.PollTarget;
import io.qga.exporter.poll.Poller;
import io.qga.exporter.http.MetricsPage;
import io.qga.exporter.poll.PollerMetrics;
import io.qga.exporter.runtime.DomainDirectory;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The running exporter: config -> discovery (every {@code discovery.refresh_interval}) -> poller
 * (Quartz, per-domain serial queues) -> HTTP listener ({@code /metrics}, landing page, health,
 * reload). The policy engine and the control API plug in as {@link Extension}s: they get the
 * {@link DomainDirectory}, the registry and the config, add HTTP routes on the same listener
 * and hear about reloads.
 *
 * <p>{@link #reload()} (SIGHUP, {@code POST /-/reload}) reads the config file again: a bad file
 * keeps the old config running and sets {@code qga_config_last_reload_successful} to 0; a good
 * one is applied (discovery, intervals, timeouts, limits, extensions) without dropping the state
 * of domains that stay. {@code server.*} and {@code discovery.libvirt.uri} need a restart.
 */
public final class Daemon implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Daemon.class.getName());

  /** A part started with the daemon: the policy engine, the control API. */
  public interface Extension extends AutoCloseable {
    /** Handlers to mount on the daemon's listener, asked once before it starts. */
    default List<HttpRoute> routes() {
      return List.of();
    }

    /** A reloaded config was applied. Must not throw; called on the reloading thread. */
    default void reconfigure(Config config) {}

    /** Called when the daemon stops, before the poller closes its channels. */
    @Override
    default void close() {}
  }

  /** Builds an extension once the poller and registry exist. */
  @FunctionalInterface
  public interface ExtensionFactory {
    Extension create(Context context) throws IOException;
  }

  /**
   * What an extension gets.
   *
   * @param config the config at start (later ones come through {@link Extension#reconfigure})
   * @param domains every known domain, kept up to date by discovery; subscribe for events here
   * @param registry the registry {@code /metrics} serves; register extra collectors here
   * @param metricsPage what {@code /metrics} serves (wrap it to put it behind a token)
   * @param clock the daemon's clock
   * @param daemon for {@link Daemon#reload()} (the control API's authenticated reload)
   */
  public record Context(
      Config config,
      DomainDirectory domains,
      PrometheusRegistry registry,
      MetricsPage metricsPage,
      Clock clock,
      Daemon daemon) {}

  private final Path configFile;
  private final Clock clock;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final BuildInfo build = BuildInfo.current();
  private final Poller poller;
  private final ScheduledExecutorService discoveryLoop;
  private final List<Extension> extensions = new ArrayList<>();
  private volatile Config config;
  private volatile Discovery discovery;
  private volatile LibvirtConnection libvirt;
  private volatile boolean ready;
  private volatile boolean lastReloadOk = true;
  private ScheduledFuture<?> discoveryTask;
  private HttpEndpoint http;
  private boolean closed;

  private Daemon(Path configFile, Config config, Clock clock) {
    this.configFile = configFile;
    this.config = config;
    this.clock = clock;
    this.poller =
        new Poller(Collectors.all(), pollSettings(config), Poller.DEFAULT_WORKERS, clock);
    this.discoveryLoop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "discovery");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * The extensions on the class path: every {@link ExtensionFactory} listed in {@code
   * META-INF/services/io.qga.exporter.Daemon$ExtensionFactory} (the policy engine and the
   * control API register there, so {@code run} and {@code demo} need no change to pick them up).
   */
  public static List<ExtensionFactory> installedExtensions() {
    List<ExtensionFactory> out = new ArrayList<>();
    java.util.ServiceLoader.load(ExtensionFactory.class).forEach(out::add);
    return out;
  }

  /**
   * Starts everything: the poller, the first discovery (synchronously, so {@code /-/ready} is
   * true once this returns), the extensions, then the listener.
   *
   * @param configFile read again by {@link #reload()}; null when the config was built in code
   *     (the demo), which makes reload a no-op that reports so
   * @throws IOException the listener could not bind; nothing is left running
   */
  public static Daemon start(Path configFile, Config config, List<ExtensionFactory> extensions)
      throws IOException {
    Daemon d = new Daemon(configFile, config, Clock.systemUTC());
    try {
      d.startAll(extensions);
      return d;
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    }
  }

  private void startAll(List<ExtensionFactory> factories) throws IOException {
    PollerMetrics pollerMetrics = new PollerMetrics(poller);
    registry.register(pollerMetrics);
    registry.register(daemonMetrics());
    // process_* and jvm_*: the exporter's own CPU, memory, threads and GC, from client_java
    JvmMetrics.builder().register(registry);
    MetricsPage metricsPage = new MetricsPage(registry, pollerMetrics::domainSeries);
    poller.start();
    openDiscovery(config);
    refreshDiscovery();
    scheduleDiscovery(config.discovery().refreshInterval());
    List<HttpRoute> routes = new ArrayList<>();
    Context context = new Context(config, poller, registry, metricsPage, clock, this);
    for (ExtensionFactory f : factories) {
      Extension e = f.create(context);
      extensions.add(e);
      routes.addAll(e.routes());
    }
    InetSocketAddress listen = config.server().listen().socketAddress();
    HttpEndpoint.Builder builder =
        HttpEndpoint.builder()
            .listen(listen)
            .metrics(metricsPage)
            .domains(poller)
            .ready(() -> ready)
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
    return ready;
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
   * As {@link #reload}, answering what kept the new config out: each problem with the file and
   * its YAML path; empty when it was applied.
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
          () ->
              "config not reloaded, the old one keeps running: "
                  + String.join("; ", problems));
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
      LOG.warning("api.listen or api.tls changed: the API's listener keeps its old settings until a restart");
    }
    config = next;
    poller.apply(pollSettings(next));
    if (!next.discovery().libvirt().uri().equals(old.discovery().libvirt().uri())) {
      LOG.warning("discovery.libvirt.uri changed: takes effect after a restart");
    }
    discovery = new Discovery(next.discovery());
    refreshDiscovery();
    if (!next.discovery().refreshInterval().equals(old.discovery().refreshInterval())) {
      scheduleDiscovery(next.discovery().refreshInterval());
    }
    for (Extension e : extensions) {
      try {
        e.reconfigure(next);
      } catch (RuntimeException ex) {
        LOG.log(Level.WARNING, "an extension failed to apply the reloaded config", ex);
      }
    }
  }

  /** Stops the listener, the extensions, discovery and the poller (closing every channel). */
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
    for (Extension e : extensions) {
      try {
        e.close();
      } catch (Exception ex) {
        LOG.log(Level.WARNING, "an extension failed to stop", ex);
      }
    }
    discoveryLoop.shutdownNow();
    poller.close();
    LibvirtConnection l = libvirt;
    if (l != null) {
      l.close();
    }
    LOG.info("qga-exporter stopped");
  }

  // --- discovery -----------------------------------------------------------------------------

  private void openDiscovery(Config c) {
    discovery = new Discovery(c.discovery());
    if (c.discovery().libvirt().enabled()) {
      libvirt = LibvirtConnection.open(c.discovery().libvirt().uri());
    }
  }

  private synchronized void scheduleDiscovery(Duration every) {
    if (discoveryTask != null) {
      discoveryTask.cancel(false);
    }
    long millis = Math.max(100, every.toMillis());
    discoveryTask =
        discoveryLoop.scheduleWithFixedDelay(
            this::refreshDiscovery, millis, millis, TimeUnit.MILLISECONDS);
  }

  private void refreshDiscovery() {
    try {
      List<DiscoveredDomain> found = discovery.refresh();
      List<PollTarget> targets = new ArrayList<>(found.size());
      for (DiscoveredDomain d : found) {
        targets.add(new PollTarget(d.name(), d.uuid(), d.route().describe(), opener(d.route())));
      }
      poller.setTargets(targets);
      ready = true;
    } catch (RuntimeException e) {
      // Discovery never throws by contract; if it does, keep the last known domains.
      LOG.log(Level.WARNING, "discovery failed; keeping the domains known so far", e);
    }
  }

  private Supplier<AgentChannel> opener(Route route) {
    if (route instanceof Route.Direct direct) {
      return () -> new AgentSession(direct.address(), sessionOptions());
    }
    Route.Libvirt viaLibvirt = (Route.Libvirt) route;
    return () -> {
      LibvirtConnection l = libvirt;
      if (l == null) {
        synchronized (this) {
          if (libvirt == null) {
            libvirt = LibvirtConnection.open(config.discovery().libvirt().uri());
          }
          l = libvirt;
        }
      }
      return l.channelFor(viaLibvirt);
    };
  }

  /**
   * The session's own reconnect backoff stays short: the poller already backs off a failing
   * agent (probes capped at one interval), and a long session backoff would make a probe fail
   * without trying, delaying recovery beyond one interval.
   */
  private AgentSession.Options sessionOptions() {
    Config c = config;
    PollSettings s = poller.settings();
    Duration max = s.backoffCap().dividedBy(2);
    Duration min = Duration.ofMillis(50);
    if (max.compareTo(min) < 0) {
      max = min;
    }
    if (max.compareTo(Duration.ofSeconds(1)) > 0) {
      max = Duration.ofSeconds(1);
    }
    return AgentSession.Options.defaults()
        .withConnectTimeout(c.agent().connectTimeout())
        .withSyncTimeout(c.agent().commandTimeout())
        .withMaxReplyBytes((int) c.agent().maxReplySize())
        .withBackoff(min, max);
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
                .help("1 when the last config reload succeeded (or none was tried), 0 when it failed")
                .dataPoint(GaugeDataPointSnapshot.builder().value(lastReloadOk ? 1 : 0).build())
                .build(),
            DiscoveryMetrics.dropped(discovery));
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
