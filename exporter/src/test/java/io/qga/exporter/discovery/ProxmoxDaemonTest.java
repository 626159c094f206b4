package io.qga.exporter.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.exporter.Daemon;
import io.qga.exporter.config.ConfigLoader;
import io.qga.sim.SimulatedAgent;
import io.qga.sim.SimulatedGuest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Proxmox VE node as the daemon sees it: simulated guest agents serving {@code VMID.qga} in a
 * socket directory, Proxmox-format {@code VMID.conf} files beside; the daemon finds them by name,
 * polls them, and follows a VM that starts and one that stops.
 */
class ProxmoxDaemonTest {
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<SimulatedAgent> agents = new ArrayList<>();
  private Path run;
  private Daemon daemon;

  @AfterEach
  void stop() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
    agents.forEach(SimulatedAgent::close);
    if (run != null) {
      try (var files = Files.list(run)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(run);
    }
  }

  private SimulatedAgent vm(int vmid, String guestName) throws Exception {
    SimulatedAgent a =
        SimulatedAgent.start(run.resolve(vmid + ".qga"), SimulatedGuest.builder(guestName).build());
    agents.add(a);
    return a;
  }

  private String metrics() throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private void await(String what, java.util.function.BooleanSupplier ok) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within 30s: " + what + "\n" + metrics());
      }
      Thread.sleep(100);
    }
  }

  private boolean has(String line) {
    try {
      return metrics().contains(line);
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void findsPollsAndFollowsTheVmsOfAProxmoxNode() throws Exception {
    run = Files.createTempDirectory(Path.of("/tmp"), "qga-pve-"); // unix socket paths are short
    Path etc = Files.createDirectories(dir.resolve("qemu-server"));
    for (int vmid : List.of(100, 101, 102)) {
      Files.copy(
          Path.of("src/test/resources/proxmox/" + vmid + ".conf"), etc.resolve(vmid + ".conf"));
    }
    vm(100, "web-1");
    vm(101, "db-1");
    vm(102, "web-1b");
    Path config = dir.resolve("config.yaml");
    Files.writeString(
        config,
        "server:\n  listen: \"127.0.0.1:0\"\n"
            + "discovery:\n  refresh_interval: 200ms\n"
            + "  proxmox:\n    enabled: true\n    socket_dir: \""
            + run
            + "\"\n    config_dir: \""
            + etc
            + "\"\n"
            + "collectors:\n  os: {interval: 1s}\n"
            + "state_dir: \""
            + dir.resolve("state")
            + "\"\n");
    daemon = Daemon.start(config, ConfigLoader.load(config), List.of());

    assertThat(daemon.domains().all())
        .extracting(h -> h.name())
        .containsExactly("db-1", "web-1", "web-1-102");
    await(
        "all three up",
        () ->
            has("qga_up{domain=\"web-1\"} 1")
                && has("qga_up{domain=\"db-1\"} 1")
                && has("qga_up{domain=\"web-1-102\"} 1"));
    // the guest behind web-1-102 is the one on 102.qga
    await("web-1-102 os info", () -> has("domain=\"web-1-102\"") && has("hostname=\"web-1b\""));
    assertThat(metrics())
        .containsPattern("qga_guest_os_info\\{[^}]*domain=\"web-1-102\"[^}]*hostname=\"web-1b\"");

    // a VM starts (QEMU creates its socket; Proxmox wrote its conf) and one stops
    Files.writeString(
        etc.resolve("105.conf"), "agent: 1\ncores: 1\nmemory: 512\nname: cache-1\nostype: l26\n");
    vm(105, "cache-1");
    SimulatedAgent db = agents.get(1);
    db.close();
    Files.deleteIfExists(run.resolve("101.qga"));
    await(
        "cache-1 up, db-1 gone",
        () -> has("qga_up{domain=\"cache-1\"} 1") && !has("domain=\"db-1\""));
  }
}
