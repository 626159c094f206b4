package io.qga.sim;

/**
 * Which real agent a {@link SimulatedGuest} imitates: its version (reported by guest-info), the
 * commands it has, and the reply shapes of its operating system.
 */
public enum Flavour {
  /** QEMU 2.5 era agent: no interface statistics, no filesystem byte counts, no users/osinfo. */
  LINUX_2_5("2.5.0", 205, false),
  /** Debian 12's qemu-guest-agent. */
  LINUX_7_2("7.2.22", 702, false),
  /** Adds total-bytes-privileged in guest-get-fsinfo. */
  LINUX_9_2("9.2.2", 902, false),
  /** Adds guest-get-load. */
  LINUX_10_0("10.0.0", 1000, false),
  /** qemu-ga-win from virtio-win: volume GUID names, drive mountpoints, no memory blocks/stats. */
  WINDOWS("107.0.1", 901, true);

  private final String version;
  private final int level;
  private final boolean windows;

  Flavour(String version, int level, boolean windows) {
    this.version = version;
    this.level = level;
    this.windows = windows;
  }

  /** The version string guest-info reports. */
  public String version() {
    return version;
  }

  /** True for qemu-ga-win shapes. */
  public boolean windows() {
    return windows;
  }

  /**
   * Whether the QEMU code base of this agent has a feature introduced in QEMU {@code major.minor}
   * (qemu-ga-win builds follow a QEMU release too; {@code level} says which).
   */
  boolean since(int major, int minor) {
    return level >= major * 100 + minor;
  }

  /**
   * Parses {@code linux-7.2}, {@code linux-9.2}, {@code linux-10.0}, {@code linux-2.5}, {@code
   * windows}.
   */
  public static Flavour parse(String text) {
    for (Flavour f : values()) {
      if (f.cliName().equals(text)) {
        return f;
      }
    }
    StringBuilder valid = new StringBuilder();
    for (Flavour f : values()) {
      valid.append(valid.length() == 0 ? "" : ", ").append(f.cliName());
    }
    throw new IllegalArgumentException(
        "unknown agent flavour \"" + text + "\" (use one of " + valid + ")");
  }

  /** The spelling used on command lines: {@code linux-7.2}, {@code windows}. */
  public String cliName() {
    if (windows) {
      return "windows";
    }
    return "linux-" + name().substring("LINUX_".length()).replace('_', '.');
  }
}
