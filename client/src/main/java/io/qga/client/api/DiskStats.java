package io.qga.client.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One entry of {@code guest-get-diskstats} (7.1+, Linux). Ticks in milliseconds. */
public record DiskStats(
    @JsonProperty("name") String name,
    @JsonProperty("major") long major,
    @JsonProperty("minor") long minor,
    @JsonProperty("stats") Stats stats) {

  /** Every member optional. Sectors are 512 bytes. */
  public record Stats(
      @JsonProperty("read-sectors") Long readSectors,
      @JsonProperty("read-ios") Long readIos,
      @JsonProperty("read-merges") Long readMerges,
      @JsonProperty("read-ticks") Long readTicks,
      @JsonProperty("write-sectors") Long writeSectors,
      @JsonProperty("write-ios") Long writeIos,
      @JsonProperty("write-merges") Long writeMerges,
      @JsonProperty("write-ticks") Long writeTicks,
      @JsonProperty("discard-sectors") Long discardSectors,
      @JsonProperty("discard-ios") Long discardIos,
      @JsonProperty("discard-merges") Long discardMerges,
      @JsonProperty("discard-ticks") Long discardTicks,
      @JsonProperty("flush-ios") Long flushIos,
      @JsonProperty("flush-ticks") Long flushTicks,
      @JsonProperty("ios-pgr") Long iosInProgress,
      @JsonProperty("total-ticks") Long totalTicks,
      @JsonProperty("weight-ticks") Long weightTicks) {}
}
