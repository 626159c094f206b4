package io.qga.exporter.discovery;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.TreeSet;

/**
 * The results of libvirt's typed calls written as the guest agent's own replies ({@code
 * guest-get-users}, {@code guest-get-fsinfo}, ...), so they are decoded by the client's one parser
 * into the same records, and reach metrics, API and policies exactly as on the direct route. Field
 * names are those of libvirt's {@code virDomainGetGuestInfo} documentation; what libvirt leaves out
 * (absent in the agent's reply, or not passed on by libvirt) is left out here too.
 */
final class LibvirtTypedReplies {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** The highest vCPU number read from a libvirt bitmap such as {@code 0-3,6}. */
  static final int MAX_VCPU = 16_384;

  private LibvirtTypedReplies() {}

  /** {@code user.N.name|domain|login-time} (ms) -> {@code [{user, domain?, login-time (s)}]}. */
  static ArrayNode users(TypedParams p) {
    ArrayNode out = JSON.arrayNode();
    for (int i = 0; i < p.count("user"); i++) {
      String at = "user." + i + ".";
      if (!p.has(at + "name")) {
        continue; // a count larger than the entries: only real ones
      }
      ObjectNode u = out.addObject();
      put(u, "user", p.string(at + "name"));
      put(u, "domain", p.string(at + "domain"));
      Long ms = unsigned(p.number(at + "login-time"));
      if (ms != null) {
        u.put("login-time", ms / 1000.0);
      }
    }
    return out;
  }

  /** {@code os.*} -> {@code guest-get-osinfo}'s object (the same member names). */
  static ObjectNode osinfo(TypedParams p) {
    ObjectNode o = JSON.objectNode();
    for (String key :
        List.of(
            "id",
            "name",
            "pretty-name",
            "version",
            "version-id",
            "kernel-release",
            "kernel-version",
            "machine",
            "variant",
            "variant-id")) {
      put(o, key, p.string("os." + key));
    }
    return o;
  }

  /** {@code hostname} -> {@code {host-name}}. */
  static ObjectNode hostName(TypedParams p) {
    ObjectNode o = JSON.objectNode();
    o.put("host-name", p.string("hostname"));
    return o;
  }

  /** {@code timezone.name|offset} -> {@code {zone?, offset}}. */
  static ObjectNode timezone(TypedParams p) {
    ObjectNode o = JSON.objectNode();
    put(o, "zone", p.string("timezone.name"));
    Long offset = p.number("timezone.offset");
    o.put("offset", offset == null ? 0 : offset);
    return o;
  }

  /**
   * {@code fs.N.name|mountpoint|fstype|total-bytes|used-bytes} and {@code
   * fs.N.disk.M.serial|device|alias} -> {@code guest-get-fsinfo}'s array ({@code device} is the
   * agent's {@code dev}; libvirt keeps no PCI address or bus).
   */
  static ArrayNode fsinfo(TypedParams p) {
    ArrayNode out = JSON.arrayNode();
    for (int i = 0; i < p.count("fs"); i++) {
      String at = "fs." + i + ".";
      if (!p.has(at + "mountpoint")) {
        continue;
      }
      ObjectNode fs = out.addObject();
      put(fs, "name", p.string(at + "name"));
      put(fs, "mountpoint", p.string(at + "mountpoint"));
      put(fs, "type", p.string(at + "fstype"));
      put(fs, "total-bytes", unsigned(p.number(at + "total-bytes")));
      put(fs, "used-bytes", unsigned(p.number(at + "used-bytes")));
      ArrayNode disks = fs.putArray("disk");
      for (int j = 0; j < p.count(at + "disk"); j++) {
        String d = at + "disk." + j + ".";
        if (!p.has(d + "device") && !p.has(d + "serial") && !p.has(d + "alias")) {
          continue;
        }
        ObjectNode disk = disks.addObject();
        put(disk, "serial", p.string(d + "serial"));
        put(disk, "dev", p.string(d + "device"));
      }
    }
    return out;
  }

  /**
   * {@code if.N.name|hwaddr}, {@code if.N.addr.M.type|addr|prefix} (libvirt 7.10 and newer) ->
   * {@code guest-network-get-interfaces}' array, without statistics (libvirt passes none on).
   */
  static ArrayNode interfaces(TypedParams p) {
    ArrayNode out = JSON.arrayNode();
    for (int i = 0; i < p.count("if"); i++) {
      String at = "if." + i + ".";
      if (!p.has(at + "name")) {
        continue;
      }
      ObjectNode nic = out.addObject();
      put(nic, "name", p.string(at + "name"));
      put(nic, "hardware-address", p.string(at + "hwaddr"));
      ArrayNode addresses = nic.putArray("ip-addresses");
      for (int j = 0; j < p.count(at + "addr"); j++) {
        String a = at + "addr." + j + ".";
        if (!p.has(a + "addr")) {
          continue;
        }
        ObjectNode address = addresses.addObject();
        put(address, "ip-address", p.string(a + "addr"));
        put(address, "ip-address-type", p.string(a + "type"));
        put(address, "prefix", p.number(a + "prefix"));
      }
    }
    return out;
  }

  /** {@code virDomainInterfaceAddresses} -> {@code guest-network-get-interfaces}' array. */
  static ArrayNode interfaces(List<LibvirtGuestCalls.Interface> interfaces) {
    ArrayNode out = JSON.arrayNode();
    for (LibvirtGuestCalls.Interface i : interfaces) {
      ObjectNode nic = out.addObject();
      put(nic, "name", i.name());
      put(nic, "hardware-address", i.hwaddr());
      ArrayNode addresses = nic.putArray("ip-addresses");
      for (LibvirtGuestCalls.Address a : i.addresses()) {
        ObjectNode address = addresses.addObject();
        put(address, "ip-address", a.address());
        address.put("ip-address-type", a.type() == 1 ? "ipv6" : "ipv4");
        address.put("prefix", a.prefix());
      }
    }
    return out;
  }

  /**
   * {@code vcpus}, {@code online}, {@code offlinable} bitmaps ({@code 0-3,5}) -> {@code
   * guest-get-vcpus}' array.
   */
  static ArrayNode vcpus(TypedParams p) {
    TreeSet<Integer> online = bitmap(p.string("online"));
    TreeSet<Integer> offlinable = bitmap(p.string("offlinable"));
    ArrayNode out = JSON.arrayNode();
    for (int id : bitmap(p.string("vcpus"))) {
      ObjectNode v = out.addObject();
      v.put("logical-id", id);
      v.put("online", online.contains(id));
      v.put("can-offline", offlinable.contains(id));
    }
    return out;
  }

  /**
   * libvirt's bitmap text: comma-separated numbers and ranges; a {@code ^N} excludes. Numbers over
   * {@link #MAX_VCPU} and malformed parts are ignored.
   */
  static TreeSet<Integer> bitmap(String text) {
    TreeSet<Integer> out = new TreeSet<>();
    if (text == null) {
      return out;
    }
    for (String part : text.split(",")) {
      String t = part.strip();
      boolean exclude = t.startsWith("^");
      if (exclude) {
        t = t.substring(1);
      }
      String[] range = t.split("-", 2);
      try {
        int from = Integer.parseInt(range[0].strip());
        int to = range.length == 2 ? Integer.parseInt(range[1].strip()) : from;
        if (from < 0 || to > MAX_VCPU || from > to) {
          continue;
        }
        for (int n = from; n <= to; n++) {
          if (exclude) {
            out.remove(n);
          } else {
            out.add(n);
          }
        }
      } catch (NumberFormatException e) {
        // a part that is not a number: skipped
      }
    }
    return out;
  }

  /** An unsigned 64-bit value over Long.MAX_VALUE is no real count: left out. */
  private static Long unsigned(Long value) {
    return value == null || value < 0 ? null : value;
  }

  private static void put(ObjectNode o, String key, String value) {
    if (value != null) {
      o.put(key, value);
    }
  }

  private static void put(ObjectNode o, String key, Long value) {
    if (value != null) {
      o.put(key, value);
    }
  }
}
