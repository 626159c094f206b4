package io.qga.client.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** One entry of {@code guest-network-get-interfaces}. */
public record NetworkInterface(
    @JsonProperty("name") String name,
    @JsonProperty("hardware-address") String hardwareAddress,
    @JsonProperty("ip-addresses") List<IpAddress> ipAddresses,
    @JsonProperty("statistics") Statistics statistics) {
  public NetworkInterface {
    ipAddresses = ipAddresses == null ? List.of() : List.copyOf(ipAddresses);
  }

  /** {@code ip-address-type} is {@code ipv4} or {@code ipv6}. */
  public record IpAddress(
      @JsonProperty("ip-address") String address,
      @JsonProperty("ip-address-type") String type,
      @JsonProperty("prefix") Integer prefix) {}

  /** Counters since 2.11; absent on older agents. Each member may be absent. */
  public record Statistics(
      @JsonProperty("rx-bytes") Long rxBytes,
      @JsonProperty("rx-packets") Long rxPackets,
      @JsonProperty("rx-errs") Long rxErrs,
      @JsonProperty("rx-dropped") Long rxDropped,
      @JsonProperty("tx-bytes") Long txBytes,
      @JsonProperty("tx-packets") Long txPackets,
      @JsonProperty("tx-errs") Long txErrs,
      @JsonProperty("tx-dropped") Long txDropped) {}
}
