package io.qga.client.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code guest-get-osinfo}; every member optional. */
public record OsInfo(
    @JsonProperty("kernel-release") String kernelRelease,
    @JsonProperty("kernel-version") String kernelVersion,
    @JsonProperty("machine") String machine,
    @JsonProperty("id") String id,
    @JsonProperty("name") String name,
    @JsonProperty("pretty-name") String prettyName,
    @JsonProperty("version") String version,
    @JsonProperty("version-id") String versionId,
    @JsonProperty("variant") String variant,
    @JsonProperty("variant-id") String variantId) {}
