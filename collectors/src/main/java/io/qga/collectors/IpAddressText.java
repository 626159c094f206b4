package io.qga.collectors;

/**
 * Tells a textual IP address from anything else a guest may put in {@code ip-address}. A guest
 * chooses that string freely, and consumers use it as an address: Ansible's {@code ansible_host},
 * dashboards, scripts. Pure text checks, never a name lookup: {@link java.net.InetAddress} would
 * query DNS for a string that is not a literal.
 */
public final class IpAddressText {
  private static final int MAX_LENGTH = 45 + 1 + 32; // longest IPv6 text, '%', a zone

  private IpAddressText() {}

  /**
   * True for a dotted-quad IPv4 address (four decimal octets 0-255, no leading zeros) or an IPv6
   * address in RFC 4291 text form (with {@code ::}, an IPv4 tail, and an optional zone {@code
   * %eth0} or {@code %6} as Windows agents report link-local addresses).
   */
  public static boolean isIpAddress(String text) {
    if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
      return false;
    }
    return text.indexOf(':') >= 0 ? isIpv6(text) : isIpv4(text);
  }

  static boolean isIpv4(String text) {
    String[] octets = text.split("\\.", -1);
    if (octets.length != 4) {
      return false;
    }
    for (String octet : octets) {
      if (octet.isEmpty() || octet.length() > 3 || (octet.length() > 1 && octet.charAt(0) == '0')) {
        return false;
      }
      for (int i = 0; i < octet.length(); i++) {
        if (octet.charAt(i) < '0' || octet.charAt(i) > '9') {
          return false;
        }
      }
      if (Integer.parseInt(octet) > 255) {
        return false;
      }
    }
    return true;
  }

  static boolean isIpv6(String text) {
    int percent = text.indexOf('%');
    if (percent >= 0) {
      if (!isZone(text.substring(percent + 1))) {
        return false;
      }
      text = text.substring(0, percent);
    }
    int gap = text.indexOf("::");
    if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
      return false;
    }
    if (gap < 0) {
      return groups(text, true) == 8;
    }
    int head = gap == 0 ? 0 : groups(text.substring(0, gap), false);
    String rest = text.substring(gap + 2);
    int tail = rest.isEmpty() ? 0 : groups(rest, true);
    return head >= 0 && tail >= 0 && head + tail <= 7;
  }

  /** The number of 16-bit groups in {@code a:b:c} (an IPv4 tail counts 2), or -1 when invalid. */
  private static int groups(String text, boolean ipv4TailAllowed) {
    String[] parts = text.split(":", -1);
    int count = 0;
    for (int p = 0; p < parts.length; p++) {
      String part = parts[p];
      if (ipv4TailAllowed && p == parts.length - 1 && part.indexOf('.') >= 0) {
        if (!isIpv4(part)) {
          return -1;
        }
        count += 2;
        continue;
      }
      if (part.isEmpty() || part.length() > 4) {
        return -1;
      }
      for (int i = 0; i < part.length(); i++) {
        if (Character.digit(part.charAt(i), 16) < 0 || part.charAt(i) > 'f') {
          return -1;
        }
      }
      count++;
    }
    return count;
  }

  private static boolean isZone(String zone) {
    if (zone.isEmpty() || zone.length() > 32) {
      return false;
    }
    for (int i = 0; i < zone.length(); i++) {
      char c = zone.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-'
              || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
