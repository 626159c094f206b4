package io.qga.client.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code guest-fstrim}: one entry per filesystem; Windows sends only path and maybe error. */
public record FstrimResult(@JsonProperty("paths") List<Path> paths) {
  public FstrimResult {
    paths = paths == null ? List.of() : List.copyOf(paths);
  }

  /** {@code trimmed} and {@code minimum} in bytes; {@code error} when this path failed. */
  public record Path(
      @JsonProperty("path") String path,
      @JsonProperty("trimmed") Long trimmed,
      @JsonProperty("minimum") Long minimum,
      @JsonProperty("error") String error) {}
}
