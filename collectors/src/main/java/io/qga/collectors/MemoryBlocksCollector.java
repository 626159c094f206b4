package io.qga.collectors;

import io.qga.client.api.GuestAgent;
import io.qga.client.api.MemoryBlock;
import io.qga.client.api.MemoryBlockInfo;
import java.util.List;

/**
 * {@code guest-get-memory-blocks} (Linux): memory blocks online and offline; with {@code
 * guest-get-memory-block-info}, the block size and the memory online in bytes.
 */
final class MemoryBlocksCollector implements Collector {
  static final MetricFamily BLOCKS =
      MetricFamily.gauge(
          "qga_memory_blocks", "Guest memory blocks by state (online or offline).", "state");
  static final MetricFamily BLOCK_SIZE =
      MetricFamily.gaugeIn(
          "bytes", "qga_memory_block_size_bytes", "Size of one guest memory block in bytes.");
  static final MetricFamily ONLINE_BYTES =
      MetricFamily.gaugeIn(
          "bytes",
          "qga_memory_online_bytes",
          "Guest memory online in bytes (online blocks times block size).");

  private static final String INFO = "guest-get-memory-block-info";

  @Override
  public String name() {
    return "memory_blocks";
  }

  @Override
  public List<String> commands() {
    return List.of("guest-get-memory-blocks", INFO);
  }

  @Override
  public void collect(GuestAgent agent, CollectContext context, SampleSink out) {
    long online = 0;
    long offline = 0;
    for (MemoryBlock block : agent.getMemoryBlocks()) {
      if (block == null) {
        out.dropped(DomainSamples.INVALID_VALUES, 1);
      } else if (block.online()) {
        online++;
      } else {
        offline++;
      }
    }
    out.gauge(BLOCKS, online, "online");
    out.gauge(BLOCKS, offline, "offline");
    MemoryBlockInfo info = OptionalCommand.call(context, INFO, agent::getMemoryBlockInfo);
    boolean validSize = info != null && info.size() > 0;
    out.keep(new GuestRecord.MemoryBlocks(online, offline, validSize ? info.size() : null));
    if (info == null) {
      return;
    }
    if (!validSize) {
      out.dropped(DomainSamples.INVALID_VALUES, 1);
      return;
    }
    out.gauge(BLOCK_SIZE, info.size());
    // in double: a hostile count times size must not wrap around
    out.gauge(ONLINE_BYTES, (double) online * info.size());
  }
}
