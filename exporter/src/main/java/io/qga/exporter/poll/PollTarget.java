package io.qga.exporter.poll;

import io.qga.client.AgentChannel;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One domain found by discovery, as the poller needs it: its name, libvirt UUID when known, a
 * description of where its commands go ({@code /run/qga/web-1.sock}, {@code libvirt:web-1}), and
 * how to open its channel; its route kind ({@code direct}, {@code libvirt_typed}, {@code
 * libvirt_raw}) and the discovery source that found it. Two targets are equal when name, uuid,
 * channel and route are equal: a domain whose channel or route changed (its socket moved, raw agent
 * commands were allowed) is reconnected, any other is left alone.
 */
public record PollTarget(
    String name,
    Optional<String> uuid,
    String channel,
    String route,
    String source,
    Supplier<AgentChannel> opener) {

  public PollTarget {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(opener, "opener");
    if (name.isBlank()) {
      throw new IllegalArgumentException("domain name must not be blank");
    }
  }

  /** A direct target found by no named source (tests, the demo). */
  public PollTarget(
      String name, Optional<String> uuid, String channel, Supplier<AgentChannel> opener) {
    this(name, uuid, channel, "direct", "", opener);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PollTarget t
        && name.equals(t.name)
        && uuid.equals(t.uuid)
        && channel.equals(t.channel)
        && route.equals(t.route);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, uuid, channel, route);
  }

  @Override
  public String toString() {
    return name + " (" + channel + ")";
  }
}
