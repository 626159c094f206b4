package io.qga.exporter.poll;

import io.qga.client.AgentChannel;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One domain found by discovery, as the poller needs it: its name, libvirt UUID when known, a
 * description of where its commands go ({@code /run/qga/web-1.sock}, {@code libvirt:web-1}), and
 * how to open its channel. Two targets are equal when name, uuid and channel are equal: a domain
 * whose channel changed (e.g. its socket moved) is reconnected, any other is left alone.
 */
public record PollTarget(
    String name, Optional<String> uuid, String channel, Supplier<AgentChannel> opener) {

  public PollTarget {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(opener, "opener");
    if (name.isBlank()) {
      throw new IllegalArgumentException("domain name must not be blank");
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PollTarget t
        && name.equals(t.name)
        && uuid.equals(t.uuid)
        && channel.equals(t.channel);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, uuid, channel);
  }

  @Override
  public String toString() {
    return name + " (" + channel + ")";
  }
}
