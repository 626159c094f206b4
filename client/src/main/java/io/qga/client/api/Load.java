package io.qga.client.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code guest-get-load} (10.0+). */
public record Load(
    @JsonProperty("load1m") double load1m,
    @JsonProperty("load5m") double load5m,
    @JsonProperty("load15m") double load15m) {}
