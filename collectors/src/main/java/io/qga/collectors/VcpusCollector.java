package io.qga.collectors;

import io.qga.client.api.GuestAgent;
import io.qga.client.api.Vcpu;
import java.util.List;

/** {@code guest-get-vcpus}: the guest's logical CPUs by state. */
final class VcpusCollector implements Collector {
  static final MetricFamily VCPUS =
      MetricFamily.gauge("qga_vcpus", "Guest logical CPUs by state (online or offline).", "state");

  @Override
  public String name() {
    return "vcpus";
  }

  @Override
  public List<String> commands() {
    return List.of("guest-get-vcpus");
  }

  @Override
  public void collect(GuestAgent agent, CollectContext context, SampleSink out) {
    long online = 0;
    long offline = 0;
    for (Vcpu vcpu : agent.getVcpus()) {
      if (vcpu == null) {
        out.dropped(DomainSamples.INVALID_VALUES, 1);
      } else if (vcpu.online()) {
        online++;
      } else {
        offline++;
      }
    }
    out.gauge(VCPUS, online, "online");
    out.gauge(VCPUS, offline, "offline");
    out.keep(new GuestRecord.Vcpus(online, offline));
  }
}
