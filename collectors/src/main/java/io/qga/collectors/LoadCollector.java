package io.qga.collectors;

import io.qga.client.api.GuestAgent;
import io.qga.client.api.Load;
import java.util.List;

/** {@code guest-get-load} (QEMU 10.0+): the guest's load averages. */
final class LoadCollector implements Collector {
  static final MetricFamily LOAD1 =
      MetricFamily.gauge("qga_guest_load1", "The guest's 1-minute load average.");
  static final MetricFamily LOAD5 =
      MetricFamily.gauge("qga_guest_load5", "The guest's 5-minute load average.");
  static final MetricFamily LOAD15 =
      MetricFamily.gauge("qga_guest_load15", "The guest's 15-minute load average.");

  @Override
  public String name() {
    return "load";
  }

  @Override
  public List<String> commands() {
    return List.of("guest-get-load");
  }

  @Override
  public void collect(GuestAgent agent, CollectContext context, SampleSink out) {
    Load load = agent.getLoad();
    out.keep(new GuestRecord.LoadAverage(load));
    gauge(out, LOAD1, load.load1m());
    gauge(out, LOAD5, load.load5m());
    gauge(out, LOAD15, load.load15m());
  }

  private static void gauge(SampleSink out, MetricFamily family, double value) {
    if (value < 0) {
      out.dropped(DomainSamples.INVALID_VALUES, 1);
    } else {
      out.gauge(family, value);
    }
  }
}
