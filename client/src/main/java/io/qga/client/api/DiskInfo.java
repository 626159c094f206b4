package io.qga.client.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** One entry of {@code guest-get-disks} (5.2+); {@code address} when the disk has one. */
public record DiskInfo(
    @JsonProperty("name") String name,
    @JsonProperty("partition") boolean partition,
    @JsonProperty("dependencies") List<String> dependencies,
    @JsonProperty("alias") String alias,
    @JsonProperty("address") Filesystem.Disk address) {
  public DiskInfo {
    dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
  }

  public DiskInfo(String name, boolean partition, List<String> dependencies, String alias) {
    this(name, partition, dependencies, alias, null);
  }
}
