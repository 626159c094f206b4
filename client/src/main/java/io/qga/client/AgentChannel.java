package io.qga.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * One conversation with one guest agent: sends a command and returns the value of its {@code
 * return} member. Implementations keep at most one request in flight (callers on other threads wait
 * their turn, bounded by their own deadline) and are safe to share between threads.
 *
 * <p>The direct implementation is {@code io.qga.client.protocol.AgentSession} over a unix or vsock
 * socket; the exporter also routes through libvirt's {@code virDomainQemuAgentCommand} for domains
 * whose only channel libvirt holds.
 */
public interface AgentChannel extends AutoCloseable {

  /**
   * Runs one command.
   *
   * @param command the command name and arguments
   * @param deadline how long to wait, in total, for the channel and the reply; {@code null} for the
   *     command's default ({@link Deadlines#defaultFor(String)})
   * @return the {@code return} value; for commands without a success reply that sent none, an empty
   *     object
   * @throws AgentErrorException the agent answered with an error ({@link AgentUnsupportedException}
   *     for unknown or disabled commands)
   * @throws AgentTimeoutException no reply before the deadline
   * @throws AgentConnectionException the channel could not be opened or broke
   * @throws AgentProtocolException the reply broke the protocol or a bound
   */
  JsonNode execute(AgentCommand command, Duration deadline);

  /** Where this channel goes, for logs and errors (a socket path, a libvirt domain). */
  String describe();

  /** Closes the connection; a later {@link #execute} reconnects. Never throws. */
  @Override
  void close();
}
