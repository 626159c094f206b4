package io.qga.exporter.config;

import io.qga.client.AgentAddress;

/** {@code discovery.static[]}: a domain name and its agent channel (unix socket or vsock). */
public record StaticDomain(String domain, AgentAddress address) {}
