package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CollectorsTest {

  @Test
  void everyCollectorByNameInContractOrder() {
    assertThat(Collectors.names())
        .containsExactly(
            "network",
            "filesystem",
            "users",
            "memory_blocks",
            "vcpus",
            "os",
            "time",
            "fsfreeze",
            "load",
            "cpu",
            "disk");
    assertThat(Collectors.byName("users")).get().isInstanceOf(UsersCollector.class);
    assertThat(Collectors.byName("nope")).isEmpty();
    assertThat(Collectors.byName().keySet()).containsExactlyElementsOf(Collectors.names());
  }

  @Test
  void everyCollectorDeclaresItsPrimaryCommandFirst() {
    for (Collector c : Collectors.all()) {
      assertThat(c.commands()).as(c.name()).isNotEmpty().allMatch(cmd -> cmd.startsWith("guest-"));
    }
    assertThat(Collectors.byName("memory_blocks").orElseThrow().commands())
        .containsExactly("guest-get-memory-blocks", "guest-get-memory-block-info");
  }

  /** Two collectors writing one metric name would make the exposition drop one of them. */
  @Test
  void noMetricNameBelongsToTwoCollectors() {
    Map<String, String> owner = new HashMap<>();
    for (String flavour : List.of("linux-7.2", "windows", "qemu-2.5")) {
      for (Collector c : Collectors.all()) {
        FixtureChannel channel = new FixtureChannel(flavour);
        DomainSamples samples;
        try {
          samples = c.poll(channel.agent(), channel.context(Limits.DEFAULT, Texts.CLOCK));
        } catch (io.qga.client.AgentUnsupportedException e) {
          continue;
        }
        for (DomainSamples.Sample s : samples.samples()) {
          String previous = owner.putIfAbsent(s.family().name(), c.name());
          assertThat(previous).as(s.family().name()).isIn(null, c.name());
        }
      }
    }
    // every CONTRACT.md metric the collectors own is produced by some fixture
    assertThat(owner)
        .containsKeys(
            "qga_network_receive_bytes",
            "qga_network_address_info",
            "qga_filesystem_size_bytes",
            "qga_filesystem_used_bytes",
            "qga_filesystem_avail_bytes",
            "qga_filesystem_frozen",
            "qga_users_logged_in",
            "qga_user_login_timestamp_seconds",
            "qga_memory_blocks",
            "qga_memory_block_size_bytes",
            "qga_memory_online_bytes",
            "qga_vcpus",
            "qga_guest_os_info",
            "qga_guest_time_offset_seconds",
            "qga_guest_timezone_offset_seconds",
            "qga_guest_cpu_seconds",
            "qga_guest_disk_read_bytes",
            "qga_guest_disk_written_bytes");
  }
}
