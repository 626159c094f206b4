package io.qga.client.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One entry of {@code guest-get-cpustats} (7.1+, Linux): milliseconds per CPU and mode. */
public record CpuStats(
    @JsonProperty("type") String type,
    @JsonProperty("cpu") long cpu,
    @JsonProperty("user") Long user,
    @JsonProperty("nice") Long nice,
    @JsonProperty("system") Long system,
    @JsonProperty("idle") Long idle,
    @JsonProperty("iowait") Long iowait,
    @JsonProperty("irq") Long irq,
    @JsonProperty("softirq") Long softirq,
    @JsonProperty("steal") Long steal,
    @JsonProperty("guest") Long guest,
    @JsonProperty("guestnice") Long guestnice) {}
