package io.qga.client.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code guest-exec-status}. Output fields are base64. */
public record ExecStatus(
    @JsonProperty("exited") boolean exited,
    @JsonProperty("exitcode") Integer exitCode,
    @JsonProperty("signal") Integer signal,
    @JsonProperty("out-data") String outData,
    @JsonProperty("err-data") String errData,
    @JsonProperty("out-truncated") Boolean outTruncated,
    @JsonProperty("err-truncated") Boolean errTruncated) {}
