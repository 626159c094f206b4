package io.qga.client;

/**
 * The agent refused the command because the guest's filesystems are frozen right now: qemu-ga 2.6
 * and later answer {@code "Command X has been disabled: the agent is in frozen state"}. Not
 * "unsupported": the command works again after the thaw. Callers keep what they had and ask again
 * once the guest is thawed.
 */
public class AgentFrozenException extends AgentErrorException {
  private static final long serialVersionUID = 1L;

  public AgentFrozenException(String command, String errorClass, String description) {
    super(command, errorClass, description);
  }
}
