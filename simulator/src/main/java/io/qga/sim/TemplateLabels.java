package io.qga.sim;

/**
 * Names that are Jinja2 templates, for {@link HostileMode#LABEL_TEMPLATE}: a consumer that
 * evaluates guest text as a template (an Ansible inventory that does not mark it unsafe) runs
 * {@code touch} on its own machine and leaves a file {@code qga-pwned-N} behind in {@code
 * $QGA_PWNED_DIR} (default {@code /tmp}); a safe one shows the text literally.
 */
final class TemplateLabels {
  private TemplateLabels() {}

  /** The payload written for name number {@code index}. */
  static String payload(int index) {
    return "{{ lookup('pipe', 'touch ${QGA_PWNED_DIR:-/tmp}/qga-pwned-" + index + "') }}";
  }

  static final HostileReplies.Label LABEL = (out, index) -> out.write("\"" + payload(index) + "\"");
}
