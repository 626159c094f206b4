package io.qga.exporter.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.qga.client.AgentChannel;
import io.qga.client.AgentCommand;
import io.qga.client.AgentErrorException;
import io.qga.client.AgentException;
import io.qga.client.AgentTimeoutException;
import io.qga.client.Deadlines;
import io.qga.client.protocol.Reply;
import io.qga.client.protocol.ReplyCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link AgentChannel} through libvirt's {@code virDomainQemuAgentCommand}, for a domain whose
 * only agent channel libvirt holds. One command in flight per domain (callers wait their turn,
 * bounded by their deadline); libvirt's own timeout is the deadline left, rounded up to whole
 * seconds (at least 1). Replies are parsed with the client's bounds.
 *
 * <p>Commands without a success reply: {@code guest-shutdown {"mode": "reboot"}} goes through
 * {@code virDomainReboot(GUEST_AGENT)} as {@code virsh reboot --mode agent} does; the others
 * ({@code guest-shutdown} powerdown/halt, {@code guest-suspend-*}) are sent with a short libvirt
 * timeout, and no reply by then, or the agent going away, is success (PROTOCOL.md).
 */
final class LibvirtAgentChannel implements AgentChannel {
  /** How long a command without a success reply waits for an error reply. */
  static final Duration NO_REPLY_WAIT = Duration.ofSeconds(5);

  private final LibvirtConnection connection;
  private final String domain;
  private final Optional<String> uuid;
  private final ReentrantLock inFlight = new ReentrantLock(true);

  LibvirtAgentChannel(LibvirtConnection connection, String domain, Optional<String> uuid) {
    this.connection = connection;
    this.domain = domain;
    this.uuid = uuid;
  }

  @Override
  public JsonNode execute(AgentCommand command, Duration deadline) {
    Duration total = deadline == null ? Deadlines.defaultFor(command.name()) : deadline;
    long until = System.nanoTime() + total.toNanos();
    try {
      if (!inFlight.tryLock(total.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new AgentTimeoutException(
            describe()
                + ": "
                + command.name()
                + ": still busy with another command after "
                + total.toMillis()
                + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentTimeoutException(
          describe() + ": " + command.name() + ": interrupted while waiting");
    }
    try {
      long left = until - System.nanoTime();
      if (left <= 0) {
        throw new AgentTimeoutException(
            describe() + ": " + command.name() + ": deadline passed while waiting for the channel");
      }
      return run(command, Duration.ofNanos(left));
    } finally {
      inFlight.unlock();
    }
  }

  private JsonNode run(AgentCommand command, Duration left) {
    LibvirtBackend backend = connection.backend();
    boolean noReply = !command.expectsSuccessReply();
    try {
      if (command.name().equals("guest-shutdown") && "reboot".equals(mode(command))) {
        backend.rebootThroughAgent(domain, uuid);
        return JsonNodeFactory.instance.objectNode();
      }
      Duration wait = noReply && left.compareTo(NO_REPLY_WAIT) > 0 ? NO_REPLY_WAIT : left;
      String json = new String(ReplyCodec.encode(command), StandardCharsets.UTF_8).strip();
      String reply = backend.qemuAgentCommand(domain, uuid, json, timeoutSeconds(wait));
      return parse(command.name(), reply);
    } catch (LibvirtFailure f) {
      if (LibvirtErrors.connectionBroken(f)) {
        connection.broken(backend, f.getMessage());
      }
      AgentException mapped = LibvirtErrors.map(command.name(), describe(), f);
      if (noReply && !(mapped instanceof AgentErrorException)) {
        // silence or the agent going away after a shutdown/suspend is its success
        return JsonNodeFactory.instance.objectNode();
      }
      throw mapped;
    }
  }

  /** Whole seconds for libvirt, rounded up, at least 1. */
  static int timeoutSeconds(Duration left) {
    long ms = left.toMillis();
    long s = (ms + 999) / 1000;
    return (int) Math.max(1, Math.min(s, Integer.MAX_VALUE));
  }

  static JsonNode parse(String command, String reply) {
    if (reply == null) {
      throw new io.qga.client.AgentProtocolException(command + ": libvirt returned no reply");
    }
    Reply r = ReplyCodec.parse(reply.getBytes(StandardCharsets.UTF_8));
    if (r instanceof Reply.Error e) {
      throw AgentErrorException.of(command, e.errorClass(), e.description());
    }
    return ((Reply.Return) r).value();
  }

  private static String mode(AgentCommand command) {
    var args = command.arguments();
    return args == null || args.get("mode") == null ? "powerdown" : args.get("mode").asText();
  }

  @Override
  public String describe() {
    return "libvirt:" + domain;
  }

  /**
   * The connection is shared by every libvirt-routed domain: closing one channel leaves it open.
   */
  @Override
  public void close() {}
}
