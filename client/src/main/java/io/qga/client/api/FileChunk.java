package io.qga.client.api;

/**
 * One checked {@code guest-file-read}: the decoded bytes (never more than asked for) and whether
 * the guest reached the end of the file.
 */
public record FileChunk(byte[] data, boolean eof) {}
