package io.qga.sim;

/**
 * How a simulated guest's agent lies in {@code guest-file-read} replies ({@link
 * SimulatedGuest#setFileReadFault}); the guest controls these sizes, so a host must check them.
 */
public enum FileReadFault {
  /** Up to twice the bytes asked for, with a {@code count} that matches them. */
  OVERSIZED,
  /** No bytes and no end of file, forever. */
  STALLS
}
