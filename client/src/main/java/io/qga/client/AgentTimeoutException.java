package io.qga.client;

/**
 * No complete reply before the deadline: the agent is not responding (not started yet in the guest,
 * hung, or busy with a slow command). The session resyncs before its next command.
 */
public class AgentTimeoutException extends AgentException {
  private static final long serialVersionUID = 1L;

  public AgentTimeoutException(String message) {
    super(message);
  }

  public AgentTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
