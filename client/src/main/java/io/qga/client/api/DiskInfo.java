package io.qga.client.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** One entry of {@code guest-get-disks} (5.2+). */
public record DiskInfo(
    @JsonProperty("name") String name,
    @JsonProperty("partition") boolean partition,
    @JsonProperty("dependencies") List<String> dependencies,
    @JsonProperty("alias") String alias) {
  public DiskInfo {
    dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
  }
}
