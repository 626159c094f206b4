package io.qga.client;

/** The channel could not be opened, or it broke while in use (EOF, reset, I/O error). */
public class AgentConnectionException extends AgentException {
  private static final long serialVersionUID = 1L;

  public AgentConnectionException(String message) {
    super(message);
  }

  public AgentConnectionException(String message, Throwable cause) {
    super(message, cause);
  }
}
