package io.qga.exporter.config;

/**
 * {@code discovery.globs[].pattern}: a socket path pattern with at least one {@code *}; the text
 * the first {@code *} matches is the domain name. {@code *} never matches {@code /}.
 */
public record GlobPattern(String pattern) {}
