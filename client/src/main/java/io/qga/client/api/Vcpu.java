package io.qga.client.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One entry of {@code guest-get-vcpus}. */
public record Vcpu(
    @JsonProperty("logical-id") long logicalId,
    @JsonProperty("online") boolean online,
    @JsonProperty("can-offline") Boolean canOffline) {}
