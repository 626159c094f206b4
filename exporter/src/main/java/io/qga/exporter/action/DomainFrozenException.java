package io.qga.exporter.action;

/**
 * The domain's filesystems are frozen and the action must not run on a frozen guest; raised for
 * fail-fast requests ({@link ActionRequest.WhenBusy#FAIL}). The control API answers 409.
 */
public class DomainFrozenException extends ActionRejectedException {
  private static final long serialVersionUID = 1L;

  public DomainFrozenException(String domain, String action) {
    super(domain, "domain " + domain + " has frozen filesystems: " + action + " waits for a thaw");
  }
}
