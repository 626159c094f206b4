package io.qga.client;

import java.nio.file.Path;

/** Where an agent channel is: a unix socket on the host, or a vsock {@code CID:PORT}. */
public sealed interface AgentAddress permits AgentAddress.Unix, AgentAddress.Vsock {

  /** A unix stream socket (a virtio-serial chardev of QEMU, or qemu-ga in unix-listen mode). */
  record Unix(Path path) implements AgentAddress {
    /**
     * The longest path a unix socket address holds on Linux: {@code sun_path} is 108 bytes, the
     * terminating NUL included. A longer path cannot be connected to at all.
     */
    public static final int MAX_PATH_BYTES = 107;

    public Unix {
      if (path == null || path.toString().isBlank()) {
        throw new IllegalArgumentException("unix socket path must not be blank");
      }
    }

    @Override
    public String toString() {
      return "unix:" + path;
    }

    /** The path's length in bytes as the kernel gets it (file names are UTF-8 here). */
    public static int pathBytes(Path path) {
      return path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
  }

  /**
   * An AF_VSOCK address: context id of the guest and port qemu-ga listens on. Both are unsigned
   * 32-bit numbers held in an int (use {@link Integer#toUnsignedString}).
   */
  record Vsock(int cid, int port) implements AgentAddress {

    /** Parses {@code CID:PORT}, e.g. {@code 3:1234}. */
    public static Vsock parse(String text) {
      String s = text == null ? "" : text.trim();
      int colon = s.indexOf(':');
      if (colon <= 0 || colon == s.length() - 1 || s.indexOf(':', colon + 1) >= 0) {
        throw new IllegalArgumentException(
            "\"" + text + "\" is not a vsock address (use CID:PORT, e.g. 3:1234)");
      }
      try {
        long cid = Long.parseLong(s.substring(0, colon));
        long port = Long.parseLong(s.substring(colon + 1));
        if (cid < 0 || cid > 0xFFFFFFFFL || port < 0 || port > 0xFFFFFFFFL) {
          throw new NumberFormatException();
        }
        return new Vsock((int) cid, (int) port);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "\"" + text + "\" is not a vsock address (CID and PORT are unsigned 32-bit numbers)");
      }
    }

    @Override
    public String toString() {
      return "vsock:" + Integer.toUnsignedString(cid) + ":" + Integer.toUnsignedString(port);
    }
  }

  static AgentAddress unix(Path path) {
    return new Unix(path);
  }

  static AgentAddress unix(String path) {
    return new Unix(Path.of(path));
  }

  static AgentAddress vsock(String cidColonPort) {
    return Vsock.parse(cidColonPort);
  }
}
