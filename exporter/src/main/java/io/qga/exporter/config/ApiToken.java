package io.qga.exporter.config;

/** {@code api.tokens[]}: a named bearer token (name goes to the audit log) with its role. */
public record ApiToken(String name, TokenSource source, Role role) {}
