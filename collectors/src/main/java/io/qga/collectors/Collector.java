package io.qga.collectors;

import io.qga.client.api.GuestAgent;
import java.util.List;

/**
 * Turns one kind of guest data into samples. One class per collector (node_exporter style),
 * registered by {@link #name()} in {@link Collectors}. A collector knows nothing about sockets or
 * scheduling: it calls the typed agent API, writes samples, and hands the records it decoded
 * (bounded, {@link GuestRecord}) to {@link SampleSink#keep} for the control API and the policies,
 * so nobody decodes the reply again.
 *
 * <p>Contract: {@link #collect} throws the agent's {@link io.qga.client.AgentException} when the
 * data could not be read (the caller records {@code qga_collector_success 0}); an {@link
 * io.qga.client.AgentUnsupportedException} for its primary command means "no data" and the caller
 * stops polling it until the agent's capabilities change. Optional extra commands are called only
 * when {@link CollectContext#supports} says so, and their "unsupported" errors are swallowed: the
 * collector then writes what it has.
 */
public interface Collector {

  /** The config and label name, e.g. {@code network}. */
  String name();

  /**
   * The commands this collector calls, primary first. The caller skips the collector when the agent
   * does not support the primary one; optional extra commands are tried when supported.
   */
  List<String> commands();

  /** Reads from the agent and writes samples to {@code out}. */
  void collect(GuestAgent agent, CollectContext context, SampleSink out);

  /** One poll: {@link #collect} into a fresh sink bounded by the context's limits. */
  default DomainSamples poll(GuestAgent agent, CollectContext context) {
    DomainSamples.Builder out = DomainSamples.builder(context.limits());
    collect(agent, context, out);
    return out.build();
  }
}
