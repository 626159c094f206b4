package io.qga.exporter.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.Domain;

/**
 * The real JNA code and libvirt's event loop against libvirt's built-in test driver ({@code
 * test:///default}: one shared in-process node with a running domain "test", no daemon): events
 * sent by a second connection arrive through ours. libvirtd itself (keepalive, close callback,
 * reconnect) is in the e2e suite ({@code e2e/libvirt_events.py}).
 */
@Tag("real")
class LibvirtEventsTest {
  private static final String URI = "test:///default";
  private final List<String> did = new CopyOnWriteArrayList<>();
  private LibvirtEvents events;
  private Connect rw;

  @AfterEach
  void close() throws Exception {
    if (events != null) {
      events.close();
    }
    if (rw != null) {
      rw.close();
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not true after 20 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void pauseAndResumeArriveAsEventsAndAResyncListsTheRunningDomain() throws Exception {
    LibvirtSourceTest.requireLibvirt();
    rw = new Connect(URI); // held open: the test driver's node lives while a connection does
    events =
        LibvirtEvents.start(
            URI,
            new DomainEvents(
                new DomainEvents.Reactions() {
                  @Override
                  public void rediscover() {
                    did.add("rediscover");
                  }

                  @Override
                  public void pollNow(String domain) {
                    did.add("poll " + domain);
                  }
                }));
    await("connected", events::connected);
    assertThat(events.domains().activeDomains()).contains("test");
    assertThat(events.domains().paused("test")).isFalse();
    assertThat(did).contains("rediscover"); // the resync on connect

    Domain test = rw.domainLookupByName("test");
    test.suspend();
    await("paused", () -> events.domains().paused("test"));
    test.resume();
    await("resumed", () -> !events.domains().paused("test"));
    await("polled on resume", () -> did.contains("poll test"));
    assertThat(events.received()).containsEntry("suspended", 1L).containsEntry("resumed", 1L);
    assertThat(events.reconnects()).isZero();

    test.suspend();
    await("paused again", () -> events.domains().paused("test"));
    // qga_domain_paused only for polled domains that libvirt reports active
    String text = exposition(new LibvirtEventMetrics(() -> events, () -> List.of("test", "gone")));
    assertThat(text)
        .contains("qga_libvirt_events_connected 1.0\n")
        .contains("qga_libvirt_events_reconnects_total 0.0\n")
        .contains("qga_libvirt_events_received_total{event=\"suspended\"} 2.0\n")
        .contains("qga_libvirt_events_received_total{event=\"agent_connected\"} 0.0\n")
        .contains("qga_domain_paused{domain=\"test\"} 1.0\n")
        .doesNotContain("domain=\"gone\"");
    test.resume();
    test.free();
    assertThat(exposition(new LibvirtEventMetrics(() -> null, () -> List.of("test")))).isEmpty();
  }

  private static String exposition(LibvirtEventMetrics metrics) throws java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, metrics.collect());
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void aUriThatCannotBeOpenedIsRetriedAndNeverThrows() throws Exception {
    LibvirtSourceTest.requireLibvirt();
    events =
        LibvirtEvents.start(
            "test:///no/such/node.xml",
            new DomainEvents(
                new DomainEvents.Reactions() {
                  @Override
                  public void rediscover() {}

                  @Override
                  public void pollNow(String domain) {}
                }));
    Thread.sleep(300);
    assertThat(events.connected()).isFalse();
    assertThat(events.received()).isEmpty();
  }
}
