package io.qga.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.exporter.config.ConfigLoader;
import io.qga.sim.Flavour;
import io.qga.sim.SimulatedAgent;
import io.qga.sim.SimulatedGuest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.Domain;

/**
 * The daemon wired to libvirt's events, against libvirt's built-in test driver ({@code
 * test:///default}, in-process, with a running domain "test"): the run dir names "test" with a
 * {@code .1} channel served by a simulated agent, and a second connection pauses and resumes it.
 * Real libvirtd is the e2e suite's ({@code e2e/libvirt_events.py}).
 */
@Tag("real")
class DaemonLibvirtEventsTest {
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private Daemon daemon;
  private SimulatedAgent agent;
  private Connect rw;

  @AfterEach
  void stop() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
    if (agent != null) {
      agent.close();
    }
    if (rw != null) {
      rw.close();
    }
  }

  private Path config(String source) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(
        file,
        "server:\n  listen: \"127.0.0.1:0\"\n"
            + "discovery:\n  refresh_interval: 1h\n  libvirt:\n    enabled: true\n"
            + "    uri: \"test:///default\"\n    source: "
            + source
            + "\n    run_dir: \""
            + dir.resolve("run")
            + "\"\n"
            + "agent:\n  command_timeout: 1s\n"
            + "collectors:\n  os: {interval: 1h}\n"
            + "state_dir: \""
            + dir.resolve("state")
            + "\"\n");
    return file;
  }

  private String get(String path) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port() + path))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (Exception e) {
      return "";
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within 20 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void aPausedDomainIsShownPausedAndAReloadToRunDirStopsListening() throws Exception {
    io.qga.exporter.discovery.LibvirtEventsTestAccess.requireLibvirt();
    rw = new Connect("test:///default");
    Path sock = dir.resolve("test.1.sock");
    agent =
        SimulatedAgent.start(
            sock, SimulatedGuest.builder("test").flavour(Flavour.LINUX_9_2).build());
    Files.createDirectories(dir.resolve("run"));
    Files.writeString(
        dir.resolve("run").resolve("test.xml"),
        "<domain><name>test</name><devices><channel type='unix'><source mode='bind' path='"
            + sock
            + "'/><target type='virtio' name='org.qemu.guest_agent.1'/></channel></devices>"
            + "</domain>");
    Path file = config("auto");
    daemon = Daemon.start(file, ConfigLoader.load(file), List.of());
    await("events connected", () -> get("/metrics").contains("qga_libvirt_events_connected 1.0"));
    await("test up", () -> get("/metrics").contains("qga_up{domain=\"test\"} 1.0"));
    assertThat(get("/metrics")).contains("qga_domain_paused{domain=\"test\"} 0.0");

    Domain test = rw.domainLookupByName("test");
    test.suspend();
    try {
      await("paused", () -> get("/metrics").contains("qga_domain_paused{domain=\"test\"} 1.0"));
      assertThat(daemon.domains().find("test").orElseThrow().paused()).isTrue();
      assertThat(get("/")).contains("(domain paused)");
      assertThat(get("/metrics"))
          .contains("qga_libvirt_events_received_total{event=\"suspended\"} 1.0");
    } finally {
      test.resume();
      test.free();
    }
    await("running", () -> get("/metrics").contains("qga_domain_paused{domain=\"test\"} 0.0"));

    Files.writeString(file, Files.readString(file).replace("source: auto", "source: run_dir"));
    assertThat(daemon.reload()).isTrue();
    assertThat(get("/metrics"))
        .doesNotContain("qga_libvirt_events")
        .doesNotContain("qga_domain_paused");
    assertThat(daemon.domains().find("test").orElseThrow().paused()).isFalse();
  }
}
