package io.qga.exporter.action;

/**
 * Another action is queued or running on the domain and the request asked to fail fast ({@link
 * ActionRequest.WhenBusy#FAIL}). The control API answers 409.
 */
public class ActionBusyException extends ActionRejectedException {
  private static final long serialVersionUID = 1L;
  private final String busyJob;

  public ActionBusyException(String domain, String busyAction, String busyJob) {
    super(domain, "domain " + domain + " is busy with " + busyAction + " (job " + busyJob + ")");
    this.busyJob = busyJob;
  }

  /** The id of the job that holds the domain. */
  public String busyJob() {
    return busyJob;
  }
}
