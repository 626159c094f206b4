package io.qga.exporter.config;

import io.qga.client.protocol.ReplyCodec;
import java.time.Duration;

/**
 * {@code agent}.
 *
 * @param commandTimeout deadline of one polling command (actions have their own, longer ones)
 * @param connectTimeout deadline to open a channel
 * @param backoffMax the longest wait between attempts on an agent that keeps failing
 * @param maxReplySize the longest reply accepted from an agent, in bytes; a longer one is a
 *     protocol error
 */
public record AgentConfig(
    Duration commandTimeout, Duration connectTimeout, Duration backoffMax, long maxReplySize) {
  /**
   * Real replies are KiB (guest-info ~5 KiB, fsinfo of 64 filesystems ~40 KiB, 1000 interfaces ~500
   * KiB); a reply is parsed whole into a tree several times its size, so this bounds what one guest
   * can make the exporter hold.
   */
  public static final long DEFAULT_MAX_REPLY_SIZE = 2L << 20;

  /** The protocol's own limit (libvirt's too). */
  public static final long MAX_REPLY_SIZE = ReplyCodec.MAX_REPLY_BYTES;

  public static final AgentConfig DEFAULT =
      new AgentConfig(
          Duration.ofSeconds(5),
          Duration.ofSeconds(1),
          Duration.ofMinutes(5),
          DEFAULT_MAX_REPLY_SIZE);
}
