package io.qga.client;

/**
 * Root of every failure talking to a guest agent. Unchecked: callers that poll many agents catch it
 * at one place; callers that act on one agent catch the branch they can handle.
 *
 * <ul>
 *   <li>{@link AgentConnectionException}: the channel could not be opened, or broke (EOF, I/O).
 *   <li>{@link AgentTimeoutException}: nothing (or not all) came back before the deadline: the
 *       agent is not responding.
 *   <li>{@link AgentProtocolException}: bytes came back that break the protocol or a bound.
 *   <li>{@link AgentErrorException}: the agent answered with an error reply; {@link
 *       AgentUnsupportedException} when the command is unknown, disabled or unsupported; {@link
 *       AgentFrozenException} when it is disabled only while the guest is frozen.
 * </ul>
 */
public class AgentException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AgentException(String message) {
    super(message);
  }

  public AgentException(String message, Throwable cause) {
    super(message, cause);
  }
}
