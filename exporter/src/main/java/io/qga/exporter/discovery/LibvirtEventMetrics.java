package io.qga.exporter.discovery;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * The series of libvirt's event connection: {@code qga_libvirt_events_connected}, {@code
 * qga_libvirt_events_reconnects_total}, {@code qga_libvirt_events_received_total{event}}, and
 * {@code qga_domain_paused{domain}} for every polled domain that libvirt reports active (1 while
 * paused or suspended, else 0). Nothing while no event connection was asked for.
 */
public final class LibvirtEventMetrics implements MultiCollector {
  private final Supplier<LibvirtEvents> events;
  private final Supplier<Collection<String>> polled;

  /**
   * @param events the event connection, or a supplier of null when there is none
   * @param polled the names of the domains being polled
   */
  public LibvirtEventMetrics(Supplier<LibvirtEvents> events, Supplier<Collection<String>> polled) {
    this.events = events;
    this.polled = polled;
  }

  @Override
  public MetricSnapshots collect() {
    LibvirtEvents e = events.get();
    if (e == null) {
      return MetricSnapshots.of();
    }
    CounterSnapshot.Builder received =
        CounterSnapshot.builder()
            .name("qga_libvirt_events_received")
            .help("libvirt domain events received, by event (lifecycle and agent lifecycle)");
    for (DomainEvents.Kind k : DomainEvents.Kind.values()) {
      received.dataPoint(
          CounterDataPointSnapshot.builder()
              .labels(Labels.of("event", k.label()))
              .value(e.received().getOrDefault(k.label(), 0L))
              .build());
    }
    GaugeSnapshot.Builder paused =
        GaugeSnapshot.builder()
            .name("qga_domain_paused")
            .help(
                "1 while libvirt has the domain paused or its guest suspended (its agent cannot"
                    + " answer), else 0; only for domains libvirt reports active");
    DomainEvents domains = e.domains();
    for (String name : polled.get()) {
      if (domains.active(name)) {
        paused.dataPoint(
            GaugeDataPointSnapshot.builder()
                .labels(Labels.of("domain", name))
                .value(domains.paused(name) ? 1 : 0)
                .build());
      }
    }
    return MetricSnapshots.of(
        GaugeSnapshot.builder()
            .name("qga_libvirt_events_connected")
            .help(
                "1 while the libvirt event connection is open; 0: domains are found by the"
                    + " periodic discovery refresh only")
            .dataPoint(GaugeDataPointSnapshot.builder().value(e.connected() ? 1 : 0).build())
            .build(),
        CounterSnapshot.builder()
            .name("qga_libvirt_events_reconnects")
            .help("Times the libvirt event connection was opened again after it broke")
            .dataPoint(CounterDataPointSnapshot.builder().value(e.reconnects()).build())
            .build(),
        received.build(),
        paused.build());
  }
}
