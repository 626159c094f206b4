package io.qga.collectors;

import io.qga.client.api.FreezeStatus;
import io.qga.client.api.GuestAgent;
import java.util.List;

/** {@code guest-fsfreeze-status}: whether the guest's filesystems are frozen. */
final class FsfreezeCollector implements Collector {
  static final MetricFamily FROZEN =
      MetricFamily.gauge(
          "qga_filesystem_frozen", "1 when the guest's filesystems are frozen, else 0.");

  @Override
  public String name() {
    return "fsfreeze";
  }

  @Override
  public List<String> commands() {
    return List.of("guest-fsfreeze-status");
  }

  @Override
  public void collect(GuestAgent agent, CollectContext context, SampleSink out) {
    FreezeStatus status = agent.fsfreezeStatus();
    out.gauge(FROZEN, status == FreezeStatus.FROZEN ? 1 : 0);
    out.keep(new GuestRecord.Freeze(status));
  }
}
