package io.qga.client.api;

import java.util.Locale;

/** {@code guest-shutdown} modes. */
public enum ShutdownMode {
  POWERDOWN,
  REBOOT,
  HALT;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
