package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class ExpositionTest {
  private static final MetricFamily UP_ISH = MetricFamily.gauge("qga_test_value", "A test gauge.");
  private static final MetricFamily BYTES =
      MetricFamily.counter("bytes", "qga_test_bytes", "A test counter.", "interface");

  private static DomainSamples samples(double value, String... interfaces) {
    var sink = DomainSamples.builder(Limits.DEFAULT);
    sink.gauge(UP_ISH, value);
    for (String nic : interfaces) {
      sink.counter(BYTES, value * 10, nic);
    }
    return sink.build();
  }

  @Test
  void severalDomainsAndCollectorsInOneFamilyPerName() {
    var sink = DomainSamples.builder(Limits.DEFAULT);
    sink.dropped("interfaces", 7);
    Map<String, Map<String, DomainSamples>> byDomain = new HashMap<>();
    byDomain.put("web-2", Map.of("a", samples(2, "eth0"), "b", sink.build()));
    byDomain.put("web-1", Map.of("a", samples(1, "eth1", "eth0")));
    byDomain.put("db", Map.of());

    assertThat(Texts.text(Exposition.snapshots(byDomain)))
        .isEqualTo(
            """
            # HELP qga_collector_dropped_items Items the guest reported that the collector's last poll dropped: beyond a limit (kind interfaces, addresses, filesystems, users, disks, cpus), invalid values, or duplicate series.
            # TYPE qga_collector_dropped_items gauge
            qga_collector_dropped_items{collector="b",domain="web-2",kind="interfaces"} 7.0
            # HELP qga_test_bytes_total A test counter.
            # TYPE qga_test_bytes_total counter
            qga_test_bytes_total{domain="web-1",interface="eth0"} 10.0
            qga_test_bytes_total{domain="web-1",interface="eth1"} 10.0
            qga_test_bytes_total{domain="web-2",interface="eth0"} 20.0
            # HELP qga_test_value A test gauge.
            # TYPE qga_test_value gauge
            qga_test_value{domain="web-1"} 1.0
            qga_test_value{domain="web-2"} 2.0
            """);
  }

  @Test
  void orderOfTheInputDoesNotChangeTheText() {
    Map<String, Map<String, DomainSamples>> one = new LinkedHashMap<>();
    one.put("b", Map.of("x", samples(1, "e1", "e0")));
    one.put("a", Map.of("x", samples(2, "e0", "e1")));
    Map<String, Map<String, DomainSamples>> two = new TreeMap<>(one);

    assertThat(Texts.text(Exposition.snapshots(one)))
        .isEqualTo(Texts.text(Exposition.snapshots(two)));
  }

  @Test
  void aDomainThatDisappearedHasNoSeries() {
    Map<String, Map<String, DomainSamples>> byDomain = new HashMap<>();
    byDomain.put("gone", Map.of("x", samples(1, "eth0")));
    byDomain.put("stays", Map.of("x", samples(1, "eth0")));
    assertThat(Texts.text(Exposition.snapshots(byDomain))).contains("gone");

    byDomain.remove("gone");

    assertThat(Texts.text(Exposition.snapshots(byDomain))).doesNotContain("gone");
  }

  @Test
  void aSecondCollectorWritingTheSameNameIsIgnoredRatherThanFailingTheScrape() {
    Map<String, Map<String, DomainSamples>> byDomain =
        Map.of("vm", new TreeMap<>(Map.of("first", samples(1), "second", samples(2))));

    assertThat(Texts.text(Exposition.snapshots(byDomain)))
        .endsWith("qga_test_value{domain=\"vm\"} 1.0\n");
  }

  /**
   * The scrape path (text prepared per poll, copied per scrape) writes what client_java's writers
   * write for the same samples, in both formats: every fixture of every flavour, drop counts, and
   * label values a hostile guest would send.
   */
  @Test
  void preparedTextIsWhatClientJavaWrites() throws Exception {
    Map<String, Map<String, DomainSamples>> byDomain = allFlavourSamples();
    var nasty = DomainSamples.builder(Limits.DEFAULT);
    nasty.counter(BYTES, 12345678901234.0, "q\"uote\\back\nline");
    nasty.counter(BYTES, 0.1, "ünïcødé ☃");
    nasty.counter(BYTES, 1e-300, "");
    nasty.gauge(UP_ISH, -2.5);
    nasty.dropped("interfaces", 3);
    byDomain.put("evil \"dom\"\n", Map.of("network", nasty.build()));

    java.util.List<Exposition.Prepared> prepared = new java.util.ArrayList<>();
    new TreeMap<>(byDomain)
        .forEach(
            (domain, collectors) ->
                new TreeMap<>(collectors)
                    .forEach((c, samples) -> prepared.add(Exposition.prepare(domain, c, samples))));
    MetricSnapshots snapshots = Exposition.snapshots(byDomain);

    var text = new ByteArrayOutputStream();
    io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create()
        .write(text, snapshots);
    var ours = new ByteArrayOutputStream();
    Exposition.write(ours, SeriesText.Format.PROMETHEUS, prepared);
    assertThat(canonical(ours.toString(StandardCharsets.UTF_8)))
        .isEqualTo(canonical(text.toString(StandardCharsets.UTF_8)))
        .contains("# TYPE qga_collector_dropped_items gauge");

    var openMetrics = new ByteArrayOutputStream();
    OpenMetricsTextFormatWriter.create().write(openMetrics, snapshots);
    var oursOpenMetrics = new ByteArrayOutputStream();
    Exposition.write(oursOpenMetrics, SeriesText.Format.OPENMETRICS, prepared);
    oursOpenMetrics.write("# EOF\n".getBytes(StandardCharsets.UTF_8));
    assertThat(canonical(oursOpenMetrics.toString(StandardCharsets.UTF_8)))
        .isEqualTo(canonical(openMetrics.toString(StandardCharsets.UTF_8)))
        .contains("# UNIT qga_filesystem_size_bytes bytes");
  }

  @Test
  void aSecondOwnerOfANameIsSkippedInTheTextToo() throws Exception {
    var out = new ByteArrayOutputStream();
    Exposition.write(
        out,
        SeriesText.Format.PROMETHEUS,
        java.util.List.of(
            Exposition.prepare("vm", "first", samples(1)),
            Exposition.prepare("vm", "second", samples(2))));
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("qga_test_value{domain=\"vm\"} 1.0\n")
        .doesNotContain("} 2.0");
  }

  /**
   * Family blocks in order, sample lines sorted within each: client_java sorts data points by their
   * labels, the prepared text keeps them by domain; Prometheus reads both alike.
   */
  private static String canonical(String text) {
    StringBuilder out = new StringBuilder();
    java.util.List<String> block = new java.util.ArrayList<>();
    for (String line : text.split("\n", -1)) {
      if (line.startsWith("#")) {
        java.util.Collections.sort(block);
        block.forEach(l -> out.append(l).append('\n'));
        block.clear();
        out.append(line).append('\n');
      } else if (!line.isEmpty()) {
        block.add(line);
      }
    }
    java.util.Collections.sort(block);
    block.forEach(l -> out.append(l).append('\n'));
    return out.toString();
  }

  @Test
  void nothingToExpose() {
    assertThat(Exposition.snapshots(Map.of()).size()).isZero();
    assertThat(Texts.text(Exposition.snapshots(Map.of("vm", Map.of("x", DomainSamples.EMPTY)))))
        .isEmpty();
  }

  /**
   * A scrape of 1000 linux domains with every collector. Not a benchmark: it catches work that
   * grows faster than the number of samples, with a bound far above the few hundred ms it takes.
   */
  @Test
  void thousandDomainsWithEveryCollectorIsCheap() {
    Map<String, DomainSamples> perCollector = new LinkedHashMap<>();
    FixtureChannel channel = new FixtureChannel("linux-7.2");
    for (Collector c : Collectors.all()) {
      try {
        perCollector.put(
            c.name(), c.poll(channel.agent(), channel.context(Limits.DEFAULT, Texts.CLOCK)));
      } catch (io.qga.client.AgentUnsupportedException e) {
        // load: not in 7.2
      }
    }
    int perDomain = perCollector.values().stream().mapToInt(s -> s.samples().size()).sum();
    Map<String, Map<String, DomainSamples>> byDomain = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      byDomain.put("vm-" + i, perCollector);
    }

    Exposition.snapshots(byDomain); // warm up
    long start = System.nanoTime();
    MetricSnapshots snapshots = Exposition.snapshots(byDomain);
    long millis = (System.nanoTime() - start) / 1_000_000;

    long points = snapshots.stream().mapToLong(s -> s.getDataPoints().size()).sum();
    assertThat(points).isEqualTo(1000L * perDomain);
    assertThat(millis).as("ms for %d data points", points).isLessThan(5_000);
  }

  /** Every fixture of every flavour, as three domains. */
  private static MetricSnapshots allFlavours() {
    return Exposition.snapshots(allFlavourSamples());
  }

  private static Map<String, Map<String, DomainSamples>> allFlavourSamples() {
    Map<String, Map<String, DomainSamples>> byDomain = new HashMap<>();
    for (String flavour : new String[] {"linux-7.2", "windows", "qemu-2.5"}) {
      Map<String, DomainSamples> perCollector = new HashMap<>();
      FixtureChannel channel = new FixtureChannel(flavour);
      for (Collector c : Collectors.all()) {
        try {
          perCollector.put(
              c.name(), c.poll(channel.agent(), channel.context(Limits.DEFAULT, Texts.CLOCK)));
        } catch (io.qga.client.AgentUnsupportedException e) {
          // no series for what the agent lacks
        }
      }
      byDomain.put(flavour, perCollector);
    }
    return byDomain;
  }

  @Test
  void openMetricsCarriesUnits() throws Exception {
    var out = new ByteArrayOutputStream();
    OpenMetricsTextFormatWriter.create().write(out, allFlavours());
    String text = out.toString(StandardCharsets.UTF_8);

    assertThat(text)
        .contains("# UNIT qga_filesystem_size_bytes bytes\n")
        .contains("# UNIT qga_guest_cpu_seconds seconds\n")
        .contains("# TYPE qga_network_receive_packets counter\n")
        .contains(
            "qga_network_receive_packets_total{domain=\"linux-7.2\",interface=\"eth0\"} 5060.0\n")
        .endsWith("# EOF\n");
  }

  /** promtool's linter (names, units, HELP, counter suffixes) on every fixture's series. */
  @Test
  @Tag("real")
  void promtoolCheckMetricsAcceptsTheExposition() throws Exception {
    Path promtool =
        java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
            .map(dir -> Path.of(dir, "promtool"))
            .filter(Files::isExecutable)
            .findFirst()
            .orElse(null);
    if (promtool == null) {
      if ("1".equals(System.getenv("QGA_REQUIRE_REAL"))) {
        throw new AssertionError("promtool (Debian package prometheus) is required: not found");
      }
      Assumptions.abort("promtool not installed (Debian package prometheus): skipped");
    }
    byte[] text = Texts.text(allFlavours()).getBytes(StandardCharsets.UTF_8);
    Process process =
        new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectErrorStream(true)
            .start();
    try {
      try (var stdin = process.getOutputStream()) {
        stdin.write(text);
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
      assertThat(process.exitValue()).as("promtool said: %s", output).isZero();
      assertThat(output).isBlank();
    } finally {
      process.destroyForcibly();
    }
  }
}
