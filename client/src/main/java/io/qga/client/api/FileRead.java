package io.qga.client.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code guest-file-read}. */
public record FileRead(
    @JsonProperty("count") long count,
    @JsonProperty("buf-b64") String bufBase64,
    @JsonProperty("eof") boolean eof) {}
