package io.qga.client.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code guest-get-host-name}. */
public record HostName(@JsonProperty("host-name") String hostName) {}
