package io.qga.client;

/**
 * The agent does not offer this command: unknown ({@code CommandNotFound}), disabled by {@code
 * -b}/{@code --allow-rpcs} ({@code CommandNotFound} "has been disabled", older {@code
 * CommandDisabled}), or not supported on the guest's OS. A command refused only because the guest
 * is frozen is an {@link AgentFrozenException} instead. Callers treat it as "no data", not as a
 * failure of the agent.
 */
public class AgentUnsupportedException extends AgentErrorException {
  private static final long serialVersionUID = 1L;

  public AgentUnsupportedException(String command, String errorClass, String description) {
    super(command, errorClass, description);
  }
}
