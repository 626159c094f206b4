package io.qga.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The rest of the guest's data: host name, users, memory blocks, vCPUs, OS, CPU statistics and
 * load, as the flavour reports them. Values depend only on the profile and the uptime.
 */
final class SystemReplies {
  private final String domain;
  private final Flavour flavour;
  private final GuestProfile profile;

  SystemReplies(String domain, Flavour flavour, GuestProfile profile) {
    this.domain = domain;
    this.flavour = flavour;
    this.profile = profile;
  }

  String hostName() {
    if (!flavour.windows()) {
      return domain;
    }
    String netbios = domain.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9-]", "-");
    return netbios.length() > 15 ? netbios.substring(0, 15) : netbios;
  }

  /** {@code boot}: the boot time in seconds since the epoch; {@code uptime} in seconds. */
  ArrayNode users(double boot, double uptime) {
    ArrayNode list = QemuJson.array();
    if (flavour.windows()) {
      list.addObject()
          .put("user", "Administrator")
          .put("domain", hostName())
          .put("login-time", seconds(boot + 95.25));
      return list;
    }
    list.addObject().put("user", "root").put("login-time", seconds(boot + 61.5));
    // "deploy" logs in for five minutes of every ten.
    long window = (long) (uptime / 300);
    if (window % 2 == 0) {
      list.addObject().put("user", "deploy").put("login-time", seconds(boot + window * 300 + 1.75));
    }
    return list;
  }

  /** Seconds as qemu-ga prints a double: plain digits, never 1.7E9. */
  static java.math.BigDecimal seconds(double value) {
    return java.math.BigDecimal.valueOf(value).setScale(6, java.math.RoundingMode.HALF_EVEN);
  }

  ArrayNode memoryBlocks() {
    ArrayNode list = QemuJson.array();
    for (int i = 0; i < profile.memoryBlocks; i++) {
      boolean online = i < profile.memoryBlocks - profile.offlineBlocks;
      list.addObject().put("online", online).put("can-offline", i != 0).put("phys-index", i);
    }
    return list;
  }

  ArrayNode vcpus() {
    ArrayNode list = QemuJson.array();
    for (int i = 0; i < profile.vcpus; i++) {
      list.addObject()
          .put("online", true)
          .put("can-offline", !flavour.windows() && i != 0)
          .put("logical-id", i);
    }
    return list;
  }

  ObjectNode osinfo() {
    ObjectNode o = QemuJson.object();
    String[] fields =
        switch (flavour) {
          case WINDOWS ->
              new String[] {
                "mswindows",
                "Microsoft Windows",
                "Windows Server 2022 Datacenter",
                "2022",
                "Microsoft Windows Server 2022",
                "20348",
                "10.0",
                "x86_64",
                "server",
                "server"
              };
          case LINUX_7_2 ->
              new String[] {
                "debian",
                "Debian GNU/Linux",
                "Debian GNU/Linux 12 (bookworm)",
                "12",
                "12 (bookworm)",
                "6.1.0-28-amd64",
                "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1",
                "x86_64",
                null,
                null
              };
          case LINUX_10_0 ->
              new String[] {
                "fedora",
                "Fedora Linux",
                "Fedora Linux 42 (Server Edition)",
                "42",
                "42 (Server Edition)",
                "6.14.0-63.fc42.x86_64",
                "#1 SMP PREEMPT_DYNAMIC Mon Mar 24 19:53:37 UTC 2025",
                "x86_64",
                "Server Edition",
                "server"
              };
          default ->
              new String[] {
                "ubuntu",
                "Ubuntu",
                "Ubuntu 24.04.2 LTS",
                "24.04",
                "24.04.2 LTS (Noble Numbat)",
                "6.8.0-57-generic",
                "#59-Ubuntu SMP PREEMPT_DYNAMIC Sat Mar 15 17:40:59 UTC 2025",
                "x86_64",
                null,
                null
              };
        };
    String[] keys = {
      "id",
      "name",
      "pretty-name",
      "version-id",
      "version",
      "kernel-release",
      "kernel-version",
      "machine",
      "variant",
      "variant-id"
    };
    for (int i = 0; i < keys.length; i++) {
      if (fields[i] != null) {
        o.put(keys[i], fields[i]);
      }
    }
    return o;
  }

  ArrayNode cpustats(double uptime) {
    ArrayNode list = QemuJson.array();
    long total = (long) (uptime * 1000);
    for (int cpu = 0; cpu < profile.vcpus; cpu++) {
      double busy = profile.busy * (1 + 0.1 * cpu);
      long user = (long) (total * busy * 0.7);
      long system = (long) (total * busy * 0.25);
      long iowait = (long) (total * 0.01);
      list.addObject()
          .put("type", "linux")
          .put("cpu", cpu)
          .put("user", user)
          .put("nice", total / 1000)
          .put("system", system)
          .put("idle", total - user - system - iowait - total / 1000)
          .put("iowait", iowait)
          .put("irq", 0)
          .put("softirq", total / 500)
          .put("steal", total / 300)
          .put("guest", 0)
          .put("guestnice", 0);
    }
    return list;
  }

  ObjectNode load(double uptime) {
    double wave = profile.busy * profile.vcpus;
    double load1 = wave * (1 + 0.5 * Math.sin(uptime / 60));
    double load5 = wave * (1 + 0.3 * Math.sin(uptime / 300));
    double load15 = wave * (1 + 0.1 * Math.sin(uptime / 900));
    return QemuJson.object()
        .put("load1m", round2(load1))
        .put("load5m", round2(load5))
        .put("load15m", round2(load15));
  }

  static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
