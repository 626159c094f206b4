package io.qga.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The fixed traits of one simulated guest, drawn once from its seed: addresses, sizes, rates.
 * Immutable, so the reply builders read it without a lock.
 */
final class GuestProfile {
  record Filesystem(
      String name,
      String mountpoint,
      String type,
      long total,
      long usedAtBoot,
      double growthPerSecond,
      int disk) {
    long used(double uptime) {
      // Fills up over time, then a cleanup job frees space again: stays below 95 %.
      long room = (long) (total * 0.95) - usedAtBoot;
      long grown = (long) (growthPerSecond * uptime);
      return usedAtBoot + (room <= 0 ? 0 : grown % room) / 4096 * 4096;
    }
  }

  final String mac;
  final String mac2;
  final String ipv4;
  final String ipv4b;
  final String linkLocal;
  final String globalV6;
  final boolean secondInterface;
  final long rxRate;
  final long txRate;
  final int memoryBlocks;
  final int offlineBlocks;
  final int vcpus;
  final int disks;
  final double diskRate;
  final double busy;
  final long rootTotal;
  final long rootUsed;
  final double rootGrowth;
  final long uptimeAtStartMillis;
  final int zone;

  GuestProfile(Random r) {
    int a = r.nextInt(256);
    int b = r.nextInt(256);
    int c = r.nextInt(256);
    mac = String.format("52:54:00:%02x:%02x:%02x", a, b, c);
    mac2 = String.format("52:54:00:%02x:%02x:%02x", c, a, b);
    ipv4 = "10." + a + "." + b + "." + (2 + c % 250);
    ipv4b = "172.16." + b + "." + (2 + a % 250);
    linkLocal = String.format("fe80::5054:ff:fe%02x:%02x%02x", a, b, c);
    globalV6 = String.format("fd00:%x::5054:ff:fe%02x:%02x%02x", a, a, b, c);
    secondInterface = r.nextInt(3) == 0;
    rxRate = 2_000 + r.nextInt(2_000_000);
    txRate = 1_000 + r.nextInt(500_000);
    memoryBlocks = new int[] {16, 32, 64}[r.nextInt(3)];
    offlineBlocks = r.nextInt(4) == 0 ? 2 : 0;
    vcpus = new int[] {1, 2, 4, 8}[r.nextInt(4)];
    disks = 1 + r.nextInt(2);
    diskRate = 50 + r.nextInt(5000);
    busy = 0.02 + r.nextDouble() * 0.3;
    rootTotal = (new long[] {20, 40, 80}[r.nextInt(3)]) << 30;
    rootUsed = (long) (rootTotal * (0.2 + 0.4 * r.nextDouble())) / 4096 * 4096;
    rootGrowth = 1_000 + r.nextInt(200_000);
    uptimeAtStartMillis = 600_000L + (long) (r.nextDouble() * 30 * 86_400_000L);
    zone = r.nextInt(3);
  }

  List<Filesystem> filesystems(Flavour flavour) {
    if (flavour.windows()) {
      return List.of(
          new Filesystem(
              "\\\\?\\Volume{3b1c7a2e-0000-0000-0000-100000000000}\\",
              "C:\\",
              "NTFS",
              rootTotal,
              rootUsed,
              rootGrowth,
              0),
          new Filesystem(
              "\\\\?\\Volume{3b1c7a2e-0000-0000-0000-501f00000000}\\",
              null,
              "NTFS",
              524_288_000L,
              0,
              0,
              0));
    }
    List<Filesystem> list = new ArrayList<>();
    list.add(new Filesystem("vda1", "/", "ext4", rootTotal, rootUsed, rootGrowth, 0));
    list.add(new Filesystem("vda15", "/boot/efi", "vfat", 109_422_592L, 6_291_456L, 0, 0));
    if (disks > 1) {
      list.add(
          new Filesystem("vdb", "/srv/data", "xfs", 500L << 30, rootUsed * 5, rootGrowth * 10, 1));
    }
    return list;
  }

  ObjectNode statistics(double uptime, int index) {
    long rx = index == 0 ? (long) (uptime * 120) : (long) (uptime * rxRate / index);
    long tx = index == 0 ? rx : (long) (uptime * txRate / index);
    return QemuJson.object()
        .put("rx-bytes", rx)
        .put("rx-packets", rx / 900)
        .put("rx-errs", 0)
        .put("rx-dropped", index == 0 ? 0 : (long) (uptime / 3600))
        .put("tx-bytes", tx)
        .put("tx-packets", tx / 700)
        .put("tx-errs", 0)
        .put("tx-dropped", 0);
  }

  ObjectNode timezone(Flavour flavour) {
    String[][] zones =
        flavour.windows()
            ? new String[][] {
              {"Coordinated Universal Time", "0"},
              {"W. Europe Standard Time", "3600"},
              {"Eastern Standard Time", "-18000"}
            }
            : new String[][] {{"UTC", "0"}, {"CET", "3600"}, {"EST", "-18000"}};
    return QemuJson.object()
        .put("zone", zones[zone][0])
        .put("offset", Integer.parseInt(zones[zone][1]));
  }
}
