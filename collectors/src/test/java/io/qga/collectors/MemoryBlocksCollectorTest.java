package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qga.client.AgentUnsupportedException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryBlocksCollectorTest {
  private final MemoryBlocksCollector collector = new MemoryBlocksCollector();

  @Test
  void linuxBlocksAndSize() {
    assertThat(Texts.poll(collector, "linux-7.2"))
        .isEqualTo(
            """
            # HELP qga_memory_block_size_bytes Size of one guest memory block in bytes.
            # TYPE qga_memory_block_size_bytes gauge
            qga_memory_block_size_bytes{domain="vm"} 1.34217728E8
            # HELP qga_memory_blocks Guest memory blocks by state (online or offline).
            # TYPE qga_memory_blocks gauge
            qga_memory_blocks{domain="vm",state="offline"} 0.0
            qga_memory_blocks{domain="vm",state="online"} 4.0
            # HELP qga_memory_online_bytes Guest memory online in bytes (online blocks times block size).
            # TYPE qga_memory_online_bytes gauge
            qga_memory_online_bytes{domain="vm"} 5.36870912E8
            """);
  }

  @Test
  void qemu25WithAnOfflineBlock() {
    assertThat(Texts.poll(collector, "qemu-2.5"))
        .isEqualTo(
            """
            # HELP qga_memory_block_size_bytes Size of one guest memory block in bytes.
            # TYPE qga_memory_block_size_bytes gauge
            qga_memory_block_size_bytes{domain="vm"} 1.34217728E8
            # HELP qga_memory_blocks Guest memory blocks by state (online or offline).
            # TYPE qga_memory_blocks gauge
            qga_memory_blocks{domain="vm",state="offline"} 1.0
            qga_memory_blocks{domain="vm",state="online"} 3.0
            # HELP qga_memory_online_bytes Guest memory online in bytes (online blocks times block size).
            # TYPE qga_memory_online_bytes gauge
            qga_memory_online_bytes{domain="vm"} 4.02653184E8
            """);
  }

  @Test
  void windowsLacksTheCommand() {
    FixtureChannel channel = new FixtureChannel("windows");
    assertThatThrownBy(() -> collector.poll(channel.agent(), CollectContext.defaults()))
        .isInstanceOf(AgentUnsupportedException.class);
  }

  @Test
  void withoutBlockInfoOnlyTheCounts() {
    FixtureChannel channel =
        new FixtureChannel("linux-7.2")
            .reply(
                "guest-get-memory-block-info",
                "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Command"
                    + " guest-get-memory-block-info has been disabled\"}}");

    // capabilities unknown: the optional command is tried and its "unsupported" swallowed
    DomainSamples samples = collector.poll(channel.agent(), CollectContext.defaults());

    assertThat(Texts.text("memory_blocks", samples))
        .isEqualTo(
            """
            # HELP qga_memory_blocks Guest memory blocks by state (online or offline).
            # TYPE qga_memory_blocks gauge
            qga_memory_blocks{domain="vm",state="offline"} 0.0
            qga_memory_blocks{domain="vm",state="online"} 4.0
            """);
  }

  @Test
  void aNonPositiveBlockSizeIsInvalid() {
    FixtureChannel channel =
        new FixtureChannel("linux-7.2")
            .reply("guest-get-memory-block-info", "{\"return\": {\"size\": 0}}");

    DomainSamples samples =
        collector.poll(channel.agent(), channel.context(Limits.DEFAULT, Texts.CLOCK));

    assertThat(samples.samples()).hasSize(2);
    assertThat(samples.dropped()).isEqualTo(Map.of(DomainSamples.INVALID_VALUES, 1L));
  }
}
