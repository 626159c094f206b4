package io.qga.client.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One entry of {@code guest-get-fsinfo}. Byte counts are absent before 3.0 and on Windows volumes
 * without a mount path; {@code total-bytes-privileged} since 9.1.
 */
public record Filesystem(
    @JsonProperty("name") String name,
    @JsonProperty("mountpoint") String mountpoint,
    @JsonProperty("type") String type,
    @JsonProperty("used-bytes") Long usedBytes,
    @JsonProperty("total-bytes") Long totalBytes,
    @JsonProperty("total-bytes-privileged") Long totalBytesPrivileged,
    @JsonProperty("disk") List<Disk> disks) {
  public Filesystem {
    disks = disks == null ? List.of() : List.copyOf(disks);
  }

  /**
   * A disk under the filesystem ({@code GuestDiskAddress}); also the {@code address} of {@code
   * guest-get-disks}. {@code pci-controller} is required by the schema but kept optional here.
   */
  public record Disk(
      @JsonProperty("bus-type") String busType,
      @JsonProperty("bus") Integer bus,
      @JsonProperty("target") Integer target,
      @JsonProperty("unit") Integer unit,
      @JsonProperty("serial") String serial,
      @JsonProperty("dev") String dev,
      @JsonProperty("pci-controller") PciAddress pciController) {

    public Disk(
        String busType, Integer bus, Integer target, Integer unit, String serial, String dev) {
      this(busType, bus, target, unit, serial, dev, null);
    }
  }

  /** {@code GuestPCIAddress}: where the disk's controller sits in the guest. */
  public record PciAddress(
      @JsonProperty("domain") Integer domain,
      @JsonProperty("bus") Integer bus,
      @JsonProperty("slot") Integer slot,
      @JsonProperty("function") Integer function) {}
}
