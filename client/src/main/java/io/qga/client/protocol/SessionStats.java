package io.qga.client.protocol;

import java.time.Duration;
import java.time.Instant;

/**
 * Counters of one {@link AgentSession} since it was created, for the exporter's own metrics and the
 * control API.
 *
 * @param connected a connection is open now
 * @param connects connections opened (the first one included)
 * @param syncs successful syncs
 * @param staleLinesDiscarded reply lines thrown away while syncing (answers to earlier clients or
 *     timed-out requests)
 * @param timeouts commands or syncs that got no reply before their deadline
 * @param protocolErrors replies that broke the protocol or a bound (connection dropped)
 * @param connectionErrors failed connects and broken connections
 * @param lastError the last failure's message, or null
 * @param lastErrorAt when it happened, or null
 * @param backoff how long connects are held back after failures (zero when healthy)
 */
public record SessionStats(
    boolean connected,
    long connects,
    long syncs,
    long staleLinesDiscarded,
    long timeouts,
    long protocolErrors,
    long connectionErrors,
    String lastError,
    Instant lastErrorAt,
    Duration backoff) {}
