package io.qga.exporter;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What {@code qga_exporter_build_info} says about this build: the version (the jar's
 * Implementation-Version), the git revision it was built from (written into {@code
 * build.properties} by Maven) and the Java runtime it runs on.
 *
 * @param revision the full commit hash of the checkout it was built from; {@code unknown} when
 *     built outside a git checkout (a source tarball)
 */
record BuildInfo(String version, String revision, String javaVersion) {
  static final String UNKNOWN = "unknown";

  static BuildInfo current() {
    return new BuildInfo(
        Daemon.version(), readRevision(), System.getProperty("java.version", UNKNOWN));
  }

  private static String readRevision() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
      if (in == null) {
        return UNKNOWN;
      }
      p.load(in);
    } catch (IOException e) {
      return UNKNOWN;
    }
    return revisionOf(p.getProperty("revision"));
  }

  /** {@code qga_exporter_build_info}: always 1. */
  GaugeSnapshot snapshot() {
    return GaugeSnapshot.builder()
        .name("qga_exporter_build_info")
        .help("The exporter's version, git revision and Java version; always 1")
        .dataPoint(
            GaugeDataPointSnapshot.builder()
                .labels(
                    Labels.of(
                        "version", version, "revision", revision, "java_version", javaVersion))
                .value(1)
                .build())
        .build();
  }

  /** An unfilled {@code ${...}} (no git when it was built) or anything but a hash is unknown. */
  static String revisionOf(String commit) {
    return commit != null && commit.matches("[0-9a-f]{7,64}") ? commit : UNKNOWN;
  }
}
