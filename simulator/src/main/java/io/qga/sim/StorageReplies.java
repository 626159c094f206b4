package io.qga.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * guest-get-fsinfo, guest-get-disks and guest-get-diskstats of a simulated guest: the profile's
 * filesystems and disks as the flavour reports them (fields by QEMU version).
 */
final class StorageReplies {
  private final Flavour flavour;
  private final GuestProfile profile;

  StorageReplies(Flavour flavour, GuestProfile profile) {
    this.flavour = flavour;
    this.profile = profile;
  }

  ArrayNode fsinfo(double uptime) {
    ArrayNode list = QemuJson.array();
    int unit = 0;
    for (GuestProfile.Filesystem fs : profile.filesystems(flavour)) {
      ObjectNode o = list.addObject().put("name", fs.name());
      o.put("mountpoint", fs.mountpoint() == null ? "System Reserved" : fs.mountpoint());
      o.put("type", fs.type());
      boolean counts = flavour.since(3, 0) && (fs.mountpoint() != null || !flavour.windows());
      if (counts) {
        long used = fs.used(uptime);
        o.put("used-bytes", used);
        // total = (used blocks + bavail) x frsize, leaving out the 5 % reserved for root
        o.put("total-bytes", fs.total());
        if (flavour.since(9, 1) && !flavour.windows()) {
          o.put("total-bytes-privileged", fs.total() + fs.total() / 19);
        }
      }
      ObjectNode disk = o.putArray("disk").addObject();
      disk.putObject("pci-controller")
          .put("domain", 0)
          .put("bus", 0)
          .put("slot", flavour.windows() ? 5 : 4 + fs.disk())
          .put("function", 0);
      disk.put("bus-type", flavour.windows() ? "scsi" : "virtio")
          .put("bus", 0)
          .put("target", 0)
          .put("unit", flavour.windows() ? unit++ : 0);
      if (flavour.since(3, 1)) {
        disk.put("serial", "QM0000" + (fs.disk() + 1));
      }
      if (flavour.since(5, 0) && !flavour.windows()) {
        disk.put("dev", "/dev/" + fs.name());
      }
    }
    return list;
  }

  ArrayNode disks() {
    ArrayNode list = QemuJson.array();
    if (flavour.windows()) {
      ObjectNode d = list.addObject().put("name", "\\\\.\\PhysicalDrive0").put("partition", false);
      diskAddress(d.putObject("address"), 0, "scsi");
      return list;
    }
    for (int disk = 0; disk < profile.disks; disk++) {
      String dev = "/dev/vd" + (char) ('a' + disk);
      if (disk == 0) {
        ObjectNode part = list.addObject().put("name", dev + "1").put("partition", true);
        part.putArray("dependencies").add(dev);
      }
      ObjectNode d = list.addObject().put("name", dev).put("partition", false);
      d.putArray("dependencies");
      diskAddress(d.putObject("address"), disk, "virtio").put("dev", dev);
    }
    return list;
  }

  static ObjectNode diskAddress(ObjectNode address, int disk, String busType) {
    address
        .putObject("pci-controller")
        .put("domain", 0)
        .put("bus", 0)
        .put("slot", 4 + disk)
        .put("function", 0);
    return address.put("bus-type", busType).put("bus", 0).put("target", 0).put("unit", 0);
  }

  ArrayNode diskstats(double uptime) {
    ArrayNode list = QemuJson.array();
    for (int disk = 0; disk < profile.disks; disk++) {
      double rate = profile.diskRate * (disk + 1);
      long readIos = (long) (uptime * rate / 40);
      long writeIos = (long) (uptime * rate / 25);
      ObjectNode stats =
          QemuJson.object()
              .put("read-sectors", (long) (uptime * rate))
              .put("read-ios", readIos)
              .put("read-merges", readIos / 7)
              .put("read-ticks", readIos / 3)
              .put("write-sectors", (long) (uptime * rate * 1.6))
              .put("write-ios", writeIos)
              .put("write-merges", writeIos / 5)
              .put("write-ticks", writeIos / 2)
              .put("discard-sectors", 0)
              .put("discard-ios", 0)
              .put("discard-merges", 0)
              .put("discard-ticks", 0)
              .put("flush-ios", writeIos / 20)
              .put("flush-ticks", writeIos / 40)
              .put("ios-pgr", 0)
              .put("total-ticks", (readIos + writeIos) / 2)
              .put("weight-ticks", (readIos + writeIos) / 2);
      ObjectNode entry =
          list.addObject()
              .put("name", "vd" + (char) ('a' + disk))
              .put("major", 252)
              .put("minor", disk * 16);
      entry.set("stats", stats);
    }
    return list;
  }
}
