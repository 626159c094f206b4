package io.qga.exporter.config;

import java.net.InetSocketAddress;

/**
 * {@code server.listen}: {@code host:port}, {@code [v6]:port} or {@code :port} (every address).
 * Port 0 takes a free port (tests).
 *
 * @param host a host name or address literal without brackets; empty for every address
 */
public record ListenAddress(String host, int port) {
  public static final ListenAddress DEFAULT = new ListenAddress("0.0.0.0", 9920);

  public ListenAddress {
    if (host == null) {
      host = "";
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range 0..65535");
    }
  }

  /** Parses {@code host:port}; the message names what is wrong. */
  public static ListenAddress parse(String text) {
    String s = text == null ? "" : text.trim();
    String host;
    String port;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
        throw new IllegalArgumentException(
            "\"" + text + "\" is not host:port (IPv6: [::]:9920, [::1]:9920)");
      }
      host = s.substring(1, close);
      port = s.substring(close + 2);
    } else {
      int colon = s.lastIndexOf(':');
      if (colon < 0 || s.indexOf(':') != colon) {
        throw new IllegalArgumentException(
            "\"" + text + "\" is not host:port (e.g. 0.0.0.0:9920, 127.0.0.1:9920, [::]:9920)");
      }
      host = s.substring(0, colon);
      port = s.substring(colon + 1);
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + text + "\": port \"" + port + "\" is not a number");
    }
    if (p < 0 || p > 65535) {
      throw new IllegalArgumentException(
          "\"" + text + "\": port " + p + " is out of range 0..65535");
    }
    return new ListenAddress(host, p);
  }

  /** The address to bind (unresolved host names are resolved here). */
  public InetSocketAddress socketAddress() {
    return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
