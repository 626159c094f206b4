package io.qga.exporter.action;

/** {@link ActionExecutor#submit} refused a request; nothing was queued or audited. */
public class ActionRejectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String domain;

  public ActionRejectedException(String domain, String message) {
    super(message);
    this.domain = domain;
  }

  public String domain() {
    return domain;
  }
}
