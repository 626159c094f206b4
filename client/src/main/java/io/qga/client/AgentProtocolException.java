package io.qga.client;

/**
 * The agent sent bytes that are not a valid reply, or that break a bound (size, nesting, string or
 * number length). The connection is dropped; the next command reconnects and resyncs.
 */
public class AgentProtocolException extends AgentException {
  private static final long serialVersionUID = 1L;

  public AgentProtocolException(String message) {
    super(message);
  }

  public AgentProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
