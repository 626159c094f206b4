package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qga.client.AgentUnsupportedException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuCollectorTest {
  private final CpuCollector collector = new CpuCollector();

  @Test
  void linuxMillisecondsBecomeSecondsWithoutGuestModes() {
    assertThat(Texts.poll(collector, "linux-7.2"))
        .isEqualTo(
            """
            # HELP qga_guest_cpu_seconds_total Seconds the guest's CPU spent in each mode.
            # TYPE qga_guest_cpu_seconds_total counter
            qga_guest_cpu_seconds_total{cpu="0",domain="vm",mode="idle"} 294.64
            qga_guest_cpu_seconds_total{cpu="0",domain="vm",mode="iowait"} 0.83
            qga_guest_cpu_seconds_total{cpu="0",domain="vm",mode="irq"} 0.0
            qga_guest_cpu_seconds_total{cpu="0",domain="vm",mode="nice"} 0.0
            qga_guest_cpu_seconds_total{cpu="0",domain="vm",mode="softirq"} 0.55
            qga_guest_cpu_seconds_total{cpu="0",domain="vm",mode="steal"} 2.61
            qga_guest_cpu_seconds_total{cpu="0",domain="vm",mode="system"} 43.41
            qga_guest_cpu_seconds_total{cpu="0",domain="vm",mode="user"} 100.39
            qga_guest_cpu_seconds_total{cpu="1",domain="vm",mode="idle"} 248.99
            qga_guest_cpu_seconds_total{cpu="1",domain="vm",mode="iowait"} 8.17
            qga_guest_cpu_seconds_total{cpu="1",domain="vm",mode="irq"} 0.0
            qga_guest_cpu_seconds_total{cpu="1",domain="vm",mode="nice"} 0.0
            qga_guest_cpu_seconds_total{cpu="1",domain="vm",mode="softirq"} 2.7
            qga_guest_cpu_seconds_total{cpu="1",domain="vm",mode="steal"} 3.17
            qga_guest_cpu_seconds_total{cpu="1",domain="vm",mode="system"} 59.57
            qga_guest_cpu_seconds_total{cpu="1",domain="vm",mode="user"} 120.47
            """);
  }

  @Test
  void windowsAndQemu25LackTheCommand() {
    for (String flavour : new String[] {"windows", "qemu-2.5"}) {
      FixtureChannel channel = new FixtureChannel(flavour);
      assertThatThrownBy(() -> collector.poll(channel.agent(), CollectContext.defaults()))
          .as(flavour)
          .isInstanceOf(AgentUnsupportedException.class);
    }
  }

  @Test
  void capsCpusAndSkipsNegativeCountersAndUnknownTypes() {
    FixtureChannel channel =
        new FixtureChannel("linux-7.2")
            .reply(
                "guest-get-cpustats",
                """
                {"return": [
                  {"type": "linux", "cpu": 0, "user": -1, "idle": 1000},
                  {"type": "bsd", "cpu": 1, "user": 5},
                  {"type": "linux", "cpu": 0, "user": 7},
                  {"type": "linux", "cpu": 3, "user": 7}
                ]}
                """);
    Limits limits = new Limits(64, 16, 64, 64, 64, 3, 128);

    DomainSamples samples = collector.poll(channel.agent(), channel.context(limits, Texts.CLOCK));

    assertThat(samples.dropped()).isEqualTo(Map.of("cpus", 1L, DomainSamples.INVALID_VALUES, 2L));
    assertThat(Texts.text("cpu", samples))
        .endsWith(
            """
            qga_guest_cpu_seconds_total{cpu="0",domain="vm",mode="idle"} 1.0
            qga_guest_cpu_seconds_total{cpu="0",domain="vm",mode="user"} 0.007
            """);
  }
}
