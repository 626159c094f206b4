package io.qga.client.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One entry of {@code guest-get-memory-blocks} (Linux). */
public record MemoryBlock(
    @JsonProperty("phys-index") long physIndex,
    @JsonProperty("online") boolean online,
    @JsonProperty("can-offline") Boolean canOffline) {}
