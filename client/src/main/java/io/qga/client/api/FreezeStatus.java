package io.qga.client.api;

/** {@code guest-fsfreeze-status}. */
public enum FreezeStatus {
  THAWED,
  FROZEN;

  public static FreezeStatus parse(String text) {
    return switch (text) {
      case "thawed" -> THAWED;
      case "frozen" -> FROZEN;
      default -> throw new IllegalArgumentException("not a freeze status: " + text);
    };
  }
}
