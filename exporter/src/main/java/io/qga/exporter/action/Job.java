package io.qga.exporter.action;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One submitted action run. {@link #result()} completes (never exceptionally) with the record that
 * was also written to the audit log.
 */
public final class Job {

  /** Where the job is. The API maps QUEUED and RUNNING to "running". */
  public enum State {
    QUEUED,
    RUNNING,
    DONE
  }

  private final String id;
  private final ActionRequest request;
  private final Instant submittedAt;
  private final CompletableFuture<ActionRecord> result = new CompletableFuture<>();
  private volatile State state = State.QUEUED;
  private volatile String auditFailure;

  Job(String id, ActionRequest request, Instant submittedAt) {
    this.id = id;
    this.request = request;
    this.submittedAt = submittedAt;
  }

  public String id() {
    return id;
  }

  public ActionRequest request() {
    return request;
  }

  public Instant submittedAt() {
    return submittedAt;
  }

  public State state() {
    return state;
  }

  void state(State state) {
    this.state = state;
  }

  /** Completes with the run's record; a view, completing it has no effect on the job. */
  public CompletableFuture<ActionRecord> result() {
    return result.copy();
  }

  /** The record once done. */
  public Optional<ActionRecord> record() {
    return Optional.ofNullable(result.getNow(null));
  }

  /**
   * Why the audit log could not record this run (the action was then refused, or it ran and its
   * record is missing); empty when every record was written. Set before {@link #result()}
   * completes.
   */
  public Optional<String> auditFailure() {
    return Optional.ofNullable(auditFailure);
  }

  void auditFailed(String why) {
    if (auditFailure == null) {
      auditFailure = why;
    }
  }

  void complete(ActionRecord record) {
    state = State.DONE;
    result.complete(record);
  }

  @Override
  public String toString() {
    return "job " + id + " " + request.action().name() + " on " + request.domain();
  }
}
