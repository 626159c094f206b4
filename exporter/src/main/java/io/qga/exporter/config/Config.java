package io.qga.exporter.config;

import io.qga.collectors.Limits;
import java.nio.file.Path;
import java.util.List;

/**
 * The whole daemon configuration ({@code config.yaml}), immutable, defaults applied. Read with
 * {@link ConfigLoader}; the keys and their defaults are documented in the shipped {@code
 * config.yaml} and {@code docs/configuration.md}.
 */
public record Config(
    ServerConfig server,
    DiscoveryConfig discovery,
    AgentConfig agent,
    CollectorsConfig collectors,
    Limits limits,
    ApiConfig api,
    PolicyDefaults policyDefaults,
    List<Policy> policies,
    Path stateDir,
    LogConfig log) {

  public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/qga-exporter");

  public Config {
    policies = List.copyOf(policies);
  }

  /** A config with the default {@link LogConfig}. */
  public Config(
      ServerConfig server,
      DiscoveryConfig discovery,
      AgentConfig agent,
      CollectorsConfig collectors,
      Limits limits,
      ApiConfig api,
      PolicyDefaults policyDefaults,
      List<Policy> policies,
      Path stateDir) {
    this(
        server,
        discovery,
        agent,
        collectors,
        limits,
        api,
        policyDefaults,
        policies,
        stateDir,
        LogConfig.DEFAULT);
  }

  /** Every default: what an empty config file gives. */
  public static Config defaults() {
    return new Config(
        ServerConfig.DEFAULT,
        DiscoveryConfig.DEFAULT,
        AgentConfig.DEFAULT,
        CollectorsConfig.DEFAULT,
        Limits.DEFAULT,
        ApiConfig.DEFAULT,
        PolicyDefaults.DEFAULT,
        List.of(),
        DEFAULT_STATE_DIR);
  }

  /** A one-line summary for logs and check-config. */
  public String summary() {
    return discovery.statics().size()
        + " static, "
        + discovery.globs().size()
        + " globs, libvirt "
        + (discovery.libvirt().enabled() ? "on" : "off")
        + (discovery.proxmox().enabled() ? ", proxmox on" : "")
        + ", "
        + policies.size()
        + " policies, "
        + api.tokens().size()
        + " tokens";
  }
}
