package io.qga.client.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One entry of {@code guest-get-users}; {@code domain} on Windows only. */
public record User(
    @JsonProperty("user") String user,
    @JsonProperty("login-time") Double loginTime,
    @JsonProperty("domain") String domain) {}
