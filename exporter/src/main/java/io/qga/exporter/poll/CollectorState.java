package io.qga.exporter.poll;

import io.qga.collectors.Exposition;
import java.time.Instant;

/**
 * The last result of one collector on one domain.
 *
 * @param success the last poll succeeded
 * @param durationSeconds how long the last poll took
 * @param lastSuccess when it last succeeded, null if never
 * @param exposed the last successful poll's samples as prepared text, what every scrape serves
 *     until the next poll; null if never (the samples themselves are not kept: the guest's typed
 *     records live in {@code GuestData})
 * @param unsupported the agent lacks the collector's primary command: not polled, no series
 * @param frozen the agent refused the last poll because the guest is frozen: the last samples stay
 *     exposed (with {@code qga_collector_success 0}) until the thaw, then it polls at once
 */
record CollectorState(
    boolean success,
    double durationSeconds,
    Instant lastSuccess,
    Exposition.Prepared exposed,
    boolean unsupported,
    boolean frozen) {

  static final CollectorState UNSUPPORTED = new CollectorState(false, 0, null, null, true, false);

  /** A poll that got no data: what the last success brought stays, for the API and policies. */
  static CollectorState keptAfter(CollectorState before, double durationSeconds, boolean frozen) {
    return new CollectorState(
        false,
        durationSeconds,
        before == null ? null : before.lastSuccess(),
        before == null ? null : before.exposed(),
        false,
        frozen);
  }

  /** What a scrape serves: the last successful poll's series, kept while the guest is frozen. */
  boolean exposes() {
    return (success || frozen) && !unsupported && exposed != null;
  }
}
