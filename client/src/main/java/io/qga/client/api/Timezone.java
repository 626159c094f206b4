package io.qga.client.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code guest-get-timezone}: offset in seconds east of UTC; zone name optional. */
public record Timezone(@JsonProperty("zone") String zone, @JsonProperty("offset") long offset) {}
