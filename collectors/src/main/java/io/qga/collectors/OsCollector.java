package io.qga.collectors;

import io.qga.client.api.GuestAgent;
import io.qga.client.api.HostName;
import io.qga.client.api.OsInfo;
import io.qga.client.api.Timezone;
import java.util.List;

/**
 * Who the guest is: the agent's version ({@code guest-info}, every agent has it), and when the
 * agent offers them, {@code guest-get-osinfo}, {@code guest-get-host-name} (2.10+) and {@code
 * guest-get-timezone}. The OS info series exists when either osinfo or host name is available; the
 * missing half's labels are empty.
 */
final class OsCollector implements Collector {
  private static final String OSINFO = "guest-get-osinfo";
  private static final String HOST_NAME = "guest-get-host-name";
  private static final String TIMEZONE = "guest-get-timezone";

  static final MetricFamily OS_INFO =
      MetricFamily.gauge(
          "qga_guest_os_info",
          "The guest's operating system and host name (always 1).",
          "id",
          "name",
          "pretty_name",
          "version_id",
          "kernel_release",
          "machine",
          "hostname");
  static final MetricFamily TIMEZONE_OFFSET =
      MetricFamily.gaugeIn(
          "seconds",
          "qga_guest_timezone_offset_seconds",
          "The guest's time zone offset east of UTC, in seconds.",
          "zone");

  private static final OsInfo NO_OSINFO =
      new OsInfo(null, null, null, null, null, null, null, null, null, null);

  /** Offsets beyond this are not a real time zone (they span -12h to +14h). */
  private static final long MAX_TZ_OFFSET = 86_400;

  @Override
  public String name() {
    return "os";
  }

  @Override
  public List<String> commands() {
    return List.of("guest-info", OSINFO, HOST_NAME, TIMEZONE);
  }

  @Override
  public void collect(GuestAgent agent, CollectContext context, SampleSink out) {
    // qga_agent_info{version} is the daemon's (it reads guest-info on every connect, whether or
    // not this collector is enabled); without known capabilities, guest-info tells what to try.
    if (context.capabilities() == null) {
      agent.info();
    }

    OsInfo os = OptionalCommand.call(context, OSINFO, agent::getOsinfo);
    HostName host = OptionalCommand.call(context, HOST_NAME, agent::getHostName);
    if (os != null || host != null) {
      OsInfo o = os != null ? os : NO_OSINFO;
      out.gauge(
          OS_INFO,
          1,
          orEmpty(o.id()),
          orEmpty(o.name()),
          orEmpty(o.prettyName()),
          orEmpty(o.versionId()),
          orEmpty(o.kernelRelease()),
          orEmpty(o.machine()),
          host == null ? "" : orEmpty(host.hostName()));
    }

    Timezone zone = OptionalCommand.call(context, TIMEZONE, agent::getTimezone);
    out.keep(GuestRecord.Os.of(os, host == null ? null : host.hostName(), zone));
    if (zone != null) {
      if (Math.abs(zone.offset()) > MAX_TZ_OFFSET) {
        out.dropped(DomainSamples.INVALID_VALUES, 1);
      } else {
        out.gauge(TIMEZONE_OFFSET, zone.offset(), orEmpty(zone.zone()));
      }
    }
  }

  private static String orEmpty(String value) {
    return value == null ? "" : value;
  }
}
