package io.qga.collectors;

import io.qga.client.api.CpuStats;
import io.qga.client.api.GuestAgent;
import java.util.List;

/**
 * {@code guest-get-cpustats} (7.1+, Linux): time each CPU spent per mode, in seconds, as
 * node_exporter's {@code node_cpu_seconds_total}. The {@code guest} and {@code guestnice} times are
 * left out, as node_exporter does, because Linux already counts them in {@code user} and {@code
 * nice}: summing over modes must give wall time.
 */
final class CpuCollector implements Collector {
  static final MetricFamily CPU_SECONDS =
      MetricFamily.counter(
          "seconds",
          "qga_guest_cpu_seconds",
          "Seconds the guest's CPU spent in each mode.",
          "cpu",
          "mode");

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public List<String> commands() {
    return List.of("guest-get-cpustats");
  }

  @Override
  public void collect(GuestAgent agent, CollectContext context, SampleSink out) {
    List<CpuStats> cpus = agent.getCpustats();
    int kept = Math.min(cpus.size(), out.limits().maxCpus());
    out.dropped("cpus", cpus.size() - kept);
    for (CpuStats cpu : cpus.subList(0, kept)) {
      // the reply is a union on "type"; only "linux" exists so far
      if (cpu == null || !"linux".equals(cpu.type())) {
        out.dropped(DomainSamples.INVALID_VALUES, 1);
        continue;
      }
      String id = Long.toString(cpu.cpu());
      mode(out, id, "user", cpu.user());
      mode(out, id, "nice", cpu.nice());
      mode(out, id, "system", cpu.system());
      mode(out, id, "idle", cpu.idle());
      mode(out, id, "iowait", cpu.iowait());
      mode(out, id, "irq", cpu.irq());
      mode(out, id, "softirq", cpu.softirq());
      mode(out, id, "steal", cpu.steal());
    }
  }

  private static void mode(SampleSink out, String cpu, String mode, Long millis) {
    if (millis != null) {
      out.counter(CPU_SECONDS, millis / 1000.0, cpu, mode);
    }
  }
}
