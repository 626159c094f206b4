package io.qga.exporter.action;

/** No known domain has this name. The control API answers 404. */
public class UnknownDomainException extends ActionRejectedException {
  private static final long serialVersionUID = 1L;

  public UnknownDomainException(String domain) {
    super(domain, "unknown domain: " + domain);
  }
}
