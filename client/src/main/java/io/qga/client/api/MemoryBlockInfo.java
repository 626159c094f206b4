package io.qga.client.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code guest-get-memory-block-info}: the size of one memory block in bytes. */
public record MemoryBlockInfo(@JsonProperty("size") long size) {}
