package io.qga.client;

/** The agent answered {@code {"error": {"class": C, "desc": D}}}. */
public class AgentErrorException extends AgentException {
  private static final long serialVersionUID = 1L;
  private final String command;
  private final String errorClass;
  private final String description;

  public AgentErrorException(String command, String errorClass, String description) {
    super(command + ": " + errorClass + ": " + description);
    this.command = command;
    this.errorClass = errorClass;
    this.description = description;
  }

  /** The command that failed, e.g. {@code guest-fstrim}. */
  public String command() {
    return command;
  }

  /** The error class, e.g. {@code GenericError}, {@code CommandNotFound}. */
  public String errorClass() {
    return errorClass;
  }

  /** The agent's human-readable description. */
  public String description() {
    return description;
  }

  /**
   * Builds the right type for an error reply: {@link AgentFrozenException} for a command disabled
   * while the guest is frozen (only the suffix "the agent is in frozen state" tells it from a
   * command disabled for good), {@link AgentUnsupportedException} for unknown, disabled (any agent
   * version's wording) and "not supported on this OS" errors.
   */
  public static AgentErrorException of(String command, String errorClass, String description) {
    String cls = errorClass == null ? "" : errorClass;
    String desc = description == null ? "" : description;
    String lower = desc.toLowerCase(java.util.Locale.ROOT);
    if (lower.contains("has been disabled") && lower.contains("frozen state")) {
      return new AgentFrozenException(command, cls, desc);
    }
    boolean unsupported =
        cls.equals("CommandNotFound")
            || cls.equals("CommandDisabled")
            || lower.contains("has been disabled")
            || lower.contains("not currently supported")
            || lower.contains("has not been found");
    return unsupported
        ? new AgentUnsupportedException(command, cls, desc)
        : new AgentErrorException(command, cls, desc);
  }
}
