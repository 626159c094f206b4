package io.qga.collectors;

/**
 * Per-domain caps so an untrusted guest cannot blow up series counts or label sizes (config {@code
 * limits}). Items beyond a cap are dropped and counted: {@link Exposition} exports the counts of
 * the last poll as {@code qga_collector_dropped_items{domain,collector,kind}}.
 *
 * @param maxInterfaces network interfaces per domain
 * @param maxAddressesPerInterface IP addresses per interface
 * @param maxFilesystems filesystems per domain
 * @param maxUsers distinct logged-in users per domain
 * @param maxDisks block devices per domain (disk collector)
 * @param maxCpus CPUs per domain (cpu collector)
 * @param maxLabelLength characters per label value; longer values are cut and end in an ellipsis
 */
public record Limits(
    int maxInterfaces,
    int maxAddressesPerInterface,
    int maxFilesystems,
    int maxUsers,
    int maxDisks,
    int maxCpus,
    int maxLabelLength) {

  public static final Limits DEFAULT = new Limits(64, 16, 64, 64, 64, 512, 128);

  public Limits {
    check("maxInterfaces", maxInterfaces);
    check("maxAddressesPerInterface", maxAddressesPerInterface);
    check("maxFilesystems", maxFilesystems);
    check("maxUsers", maxUsers);
    check("maxDisks", maxDisks);
    check("maxCpus", maxCpus);
    check("maxLabelLength", maxLabelLength);
  }

  private static void check(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, got " + value);
    }
  }
}
