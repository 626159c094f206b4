package io.qga.exporter.discovery;

/**
 * A failed libvirt call, as plain data so the mapping to agent exceptions is testable without
 * libvirt: the libvirt error number's name (e.g. {@code VIR_ERR_INTERNAL_ERROR}, may be empty) and
 * libvirt's message.
 */
final class LibvirtFailure extends Exception {
  private static final long serialVersionUID = 1L;
  private final String code;

  LibvirtFailure(String code, String message) {
    super(message == null ? "" : message);
    this.code = code == null ? "" : code;
  }

  String code() {
    return code;
  }
}
