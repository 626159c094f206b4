package io.qga.exporter.policy;

/** No policy has this name. The control API answers 404. */
public class UnknownPolicyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnknownPolicyException(String name) {
    super("unknown policy: " + name);
  }
}
