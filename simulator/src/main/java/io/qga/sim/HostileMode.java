package io.qga.sim;

/**
 * One attack a guest's agent can mount on the host side (issue 9). The guest controls every byte
 * its agent sends; each mode is one way to abuse that. Unless stated otherwise a hostile agent
 * answers sync, ping and guest-info normally, so a client gets past its handshake and meets the
 * attack in the data it polls.
 */
public enum HostileMode {
  /** Every data command answers a valid JSON reply of exactly 9 MiB (just under libvirt's cap). */
  REPLY_9MIB("reply-9mib"),
  /** Every data command answers a valid JSON reply of exactly 50 MiB. */
  REPLY_50MIB("reply-50mib"),
  /** guest-network-get-interfaces lists 100 000 interfaces. */
  INTERFACES_100K("interfaces-100k"),
  /** guest-get-fsinfo lists 10 000 filesystems. */
  FILESYSTEMS_10K("filesystems-10k"),
  /** Names (interfaces, mountpoints, users, host name, OS) are 1 MiB long. */
  LABEL_1MB("label-1mb"),
  /**
   * Names contain newlines, quotes, backslashes, NUL, lone surrogates, U+2028 and text that looks
   * like exposition lines; the JSON itself stays valid.
   */
  LABEL_NASTY("label-nasty"),
  /**
   * Names (host name, OS fields, users, mountpoints, interface names and addresses) are Jinja2
   * templates that would run {@code touch ${QGA_PWNED_DIR:-/tmp}/qga-pwned-N} on an Ansible
   * controller that evaluated them.
   */
  LABEL_TEMPLATE("label-template"),
  /** Names contain raw bytes that are not UTF-8 (never 0xFF), which strict JSON parsers reject. */
  INVALID_UTF8("invalid-utf8"),
  /** Every data command answers a JSON array nested 100 000 deep. */
  DEEP_NESTING("deep-nesting"),
  /** Numbers like 1e400, -1, 2^64 and fractions where counters and sizes belong. */
  BAD_NUMBERS("bad-numbers"),
  /** Data replies are written one byte per trickle interval (default one second). */
  TRICKLE("trickle"),
  /** Every request, sync included, is answered with 0xFF bytes that never end. */
  ENDLESS_FF("endless-ff"),
  /** No reply, sync included, ends with a newline. */
  NO_NEWLINE("no-newline"),
  /** guest-sync and guest-sync-delimited always return an id other than the one asked for. */
  WRONG_SYNC_ID("wrong-sync-id"),
  /** Every connection is accepted and closed at once. */
  ACCEPT_CLOSE("accept-close"),
  /** Connections are accepted and requests read, but nothing is ever answered. */
  NEVER_ANSWERS("never-answers"),
  /** Every reply comes after the guest's slow-down delay (default two seconds). */
  ANSWER_AFTER("answer-after");

  private final String cliName;

  HostileMode(String cliName) {
    this.cliName = cliName;
  }

  /** The spelling used on command lines, e.g. {@code reply-9mib}. */
  public String cliName() {
    return cliName;
  }

  public static HostileMode parse(String text) {
    for (HostileMode m : values()) {
      if (m.cliName.equals(text)) {
        return m;
      }
    }
    StringBuilder valid = new StringBuilder();
    for (HostileMode m : values()) {
      valid.append(valid.length() == 0 ? "" : ", ").append(m.cliName);
    }
    throw new IllegalArgumentException(
        "unknown hostile mode \"" + text + "\" (use one of " + valid + ")");
  }
}
