package io.qga.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * guest-network-get-interfaces of a simulated guest: loopback and one or two NICs with the
 * profile's addresses, in the shape of the flavour (Windows names, statistics since 2.11).
 */
final class NetworkReplies {
  private final Flavour flavour;
  private final GuestProfile profile;

  NetworkReplies(Flavour flavour, GuestProfile profile) {
    this.flavour = flavour;
    this.profile = profile;
  }

  ArrayNode interfaces(double uptime) {
    ArrayNode list = QemuJson.array();
    boolean stats = flavour.since(2, 11);
    if (flavour.windows()) {
      ObjectNode eth =
          list.addObject().put("name", "Ethernet").put("hardware-address", profile.mac);
      addresses(eth, uptime, true);
      if (stats) {
        eth.set("statistics", profile.statistics(uptime, 1));
      }
      ObjectNode lo = list.addObject().put("name", "Loopback Pseudo-Interface 1");
      ArrayNode ips = lo.putArray("ip-addresses");
      ips.addObject().put("ip-address-type", "ipv6").put("ip-address", "::1").put("prefix", 128);
      ips.addObject()
          .put("ip-address-type", "ipv4")
          .put("ip-address", "127.0.0.1")
          .put("prefix", 8);
      if (stats) {
        lo.set("statistics", profile.statistics(uptime, 0));
      }
      return list;
    }
    ObjectNode lo = list.addObject().put("name", "lo").put("hardware-address", "00:00:00:00:00:00");
    ArrayNode ips = lo.putArray("ip-addresses");
    ips.addObject().put("ip-address-type", "ipv4").put("ip-address", "127.0.0.1").put("prefix", 8);
    ips.addObject().put("ip-address-type", "ipv6").put("ip-address", "::1").put("prefix", 128);
    if (stats) {
      lo.set("statistics", profile.statistics(uptime, 0));
    }
    ObjectNode eth0 = list.addObject().put("name", "eth0").put("hardware-address", profile.mac);
    addresses(eth0, uptime, false);
    if (stats) {
      eth0.set("statistics", profile.statistics(uptime, 1));
    }
    if (profile.secondInterface) {
      ObjectNode eth1 = list.addObject().put("name", "eth1").put("hardware-address", profile.mac2);
      eth1.putArray("ip-addresses")
          .addObject()
          .put("ip-address-type", "ipv4")
          .put("ip-address", profile.ipv4b)
          .put("prefix", 16);
      if (stats) {
        eth1.set("statistics", profile.statistics(uptime, 2));
      }
    }
    return list;
  }

  void addresses(ObjectNode nic, double uptime, boolean windows) {
    ArrayNode ips = nic.putArray("ip-addresses");
    if (windows) {
      ips.addObject()
          .put("ip-address-type", "ipv6")
          .put("ip-address", profile.linkLocal)
          .put("prefix", 64);
      ips.addObject()
          .put("ip-address-type", "ipv4")
          .put("ip-address", profile.ipv4)
          .put("prefix", 24);
      return;
    }
    ips.addObject()
        .put("ip-address-type", "ipv4")
        .put("ip-address", profile.ipv4)
        .put("prefix", 24);
    // A global IPv6 address appears a minute after boot (router advertisement, SLAAC).
    if (uptime >= 60) {
      ips.addObject()
          .put("ip-address-type", "ipv6")
          .put("ip-address", profile.globalV6)
          .put("prefix", 64);
    }
    ips.addObject()
        .put("ip-address-type", "ipv6")
        .put("ip-address", profile.linkLocal)
        .put("prefix", 64);
  }
}
