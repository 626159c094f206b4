package io.qga.exporter.api;

import io.qga.exporter.Daemon;
import io.qga.exporter.action.ActionExecutor;
import io.qga.exporter.config.Config;
import io.qga.exporter.http.HttpRoute;
import io.qga.exporter.policy.PolicyEngine;
import java.util.List;

/**
 * Actions in the daemon: one {@link ActionExecutor} (audit log and state in {@code state_dir}),
 * the {@link PolicyEngine} and the {@link ControlApi} on it. Registered for {@link
 * Daemon#installedExtensions()} as {@link Factory} in {@code META-INF/services}; do not register
 * a second executor elsewhere, or API and policy runs on one domain could overlap.
 */
public final class ApiExtension implements Daemon.Extension {
  private final ActionExecutor executor;
  private final PolicyEngine engine;
  private final ControlApi api;
  private final ApiRequests requests;

  private ApiExtension(
      ActionExecutor executor, PolicyEngine engine, ControlApi api, ApiRequests requests) {
    this.executor = executor;
    this.engine = engine;
    this.api = api;
    this.requests = requests;
  }

  public static Daemon.ExtensionFactory factory() {
    return context -> {
      Config config = context.config();
      ActionExecutor executor =
          ActionExecutor.open(
              config.stateDir(),
              context.domains(),
              context.clock(),
              PolicyEngine.actionLimits(config.policyDefaults()));
      try {
        context.registry().register(executor.metrics());
        PolicyEngine engine =
            new PolicyEngine(
                config.policies(),
                config.policyDefaults(),
                context.domains(),
                executor,
                context.timers());
        ControlApi api =
            new ControlApi(
                config,
                context.domains(),
                executor,
                engine,
                context.daemon()::reloadProblems,
                context.metricsPage(),
                context.clock(),
                context.timers());
        ApiRequests requests = new ApiRequests(context.registry());
        context.registry().register(api.authFailureMetrics());
        engine.start();
        api.start();
        return new ApiExtension(executor, engine, api, requests);
      } catch (RuntimeException | java.io.IOException e) {
        executor.close();
        throw e;
      }
    };
  }

  /** The {@link java.util.ServiceLoader} provider: {@link #factory()}. */
  public static final class Factory implements Daemon.ExtensionFactory {
    @Override
    public Daemon.Extension create(Daemon.Context context) throws java.io.IOException {
      return factory().create(context);
    }
  }

  public ControlApi api() {
    return api;
  }

  @Override
  public List<HttpRoute> routes() {
    return requests.counting(api.routes());
  }

  @Override
  public void reconfigure(Config config) {
    engine.update(config.policies(), config.policyDefaults());
    api.reconfigure(config);
  }

  /** Stops the engine, thaws what the API froze, then lets running actions finish. */
  @Override
  public void close() {
    engine.close();
    api.close();
    executor.close();
  }
}
