package io.qga.exporter.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PollerMetricsTest {
  private static final FakeCollector A = new FakeCollector("a", "cmd-a");
  private static final FakeCollector B = new FakeCollector("b", "cmd-b");
  private final Map<String, FakeChannel> channels = new LinkedHashMap<>();
  private Poller poller;
  private PrometheusRegistry registry;
  private io.qga.exporter.http.MetricsPage page;

  @AfterEach
  void stop() {
    if (poller != null) {
      poller.close();
    }
  }

  private void start(String... domains) {
    Map<String, Duration> intervals = new LinkedHashMap<>();
    intervals.put("a", Duration.ofMillis(100));
    intervals.put("b", Duration.ofMillis(100));
    poller =
        new Poller(
            List.of(A, B),
            PollSettings.of(intervals).withCommandTimeout(Duration.ofSeconds(2)),
            4,
            Clock.systemUTC());
    registry = new PrometheusRegistry();
    PollerMetrics metrics = new PollerMetrics(poller);
    registry.register(metrics);
    page = new io.qga.exporter.http.MetricsPage(registry, metrics::domainSeries);
    poller.start();
    poller.setTargets(targets(domains));
  }

  private List<PollTarget> targets(String... domains) {
    List<PollTarget> out = new ArrayList<>();
    for (String d : domains) {
      FakeChannel c = channels.computeIfAbsent(d, n -> new FakeChannel(n, Set.of("cmd-a")));
      out.add(new PollTarget(d, Optional.empty(), "fake:" + d, () -> c));
    }
    return out;
  }

  private String scrape() {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      page.write(out, io.qga.collectors.SeriesText.Format.PROMETHEUS, null);
      return out.toString(StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void servesCachedSamplesAndThePollersOwnSeries() {
    start("web-1");
    Await.until(
        Duration.ofSeconds(5),
        "web-1 polled",
        () -> scrape().contains("qga_test_a{domain=\"web-1\"}"));
    String s = scrape();
    assertThat(s)
        .contains("# TYPE qga_up gauge\nqga_up{domain=\"web-1\"} 1.0\n")
        .contains("qga_agent_info{domain=\"web-1\",version=\"7.2.22\"} 1.0\n")
        .contains("qga_collector_success{collector=\"a\",domain=\"web-1\"} 1.0\n")
        .contains("qga_collector_duration_seconds{collector=\"a\",domain=\"web-1\"}")
        .contains("qga_collector_last_success_timestamp_seconds{collector=\"a\",domain=\"web-1\"}")
        .contains("qga_discovered_domains 1.0\n")
        .contains("qga_poll_skipped_total{collector=\"a\"} ")
        .contains("qga_poll_skipped_total{collector=\"b\"} ")
        .contains("qga_poll_errors_total{kind=\"timeout\"} 0.0\n");
    // b's command is not offered by the agent: no series at all for it
    assertThat(s)
        .doesNotContain("qga_collector_success{collector=\"b\"")
        .doesNotContain("qga_collector_duration_seconds{collector=\"b\"")
        .doesNotContain("qga_test_b");
  }

  /** qga_domain_info says how each domain is reached and who found it, for joins by UUID. */
  @Test
  void domainInfoNamesUuidRouteAndSource() {
    start();
    FakeChannel typed = new FakeChannel("lv", Set.of("cmd-a"));
    poller.setTargets(
        List.of(
            new PollTarget(
                "lv",
                Optional.of("6695eb01-f6a4-8304-79aa-97f2502e193f"),
                "libvirt:lv",
                "libvirt_typed",
                "libvirt_api",
                () -> typed)));
    Await.until(
        Duration.ofSeconds(5), "lv polled", () -> scrape().contains("qga_test_a{domain=\"lv\"}"));
    assertThat(scrape())
        .contains(
            "qga_domain_info{domain=\"lv\",route=\"libvirt_typed\",source=\"libvirt_api\","
                + "uuid=\"6695eb01-f6a4-8304-79aa-97f2502e193f\"} 1.0\n");
  }

  @Test
  void aScrapeNeverWaitsOnAHungGuestAndADownDomainShowsOnlyItsState() {
    start("web-1", "stuck");
    Await.until(
        Duration.ofSeconds(5),
        "both polled",
        () -> scrape().contains("qga_test_a{domain=\"stuck\"}"));
    channels.get("stuck").mode = FakeChannel.Mode.HUNG;
    Await.until(
        Duration.ofSeconds(5),
        "a command of stuck is hanging",
        () -> channels.get("stuck").inFlight.get() == 1);
    long start = System.nanoTime();
    scrape();
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    assertThat(tookMillis).isLessThan(500); // the hung command waits 2 s

    Await.until(
        Duration.ofSeconds(5),
        "stuck down",
        () -> scrape().contains("qga_up{domain=\"stuck\"} 0.0"));
    String s = scrape();
    assertThat(s)
        .contains("qga_collector_success{collector=\"a\",domain=\"stuck\"} 0.0")
        .doesNotContain("qga_test_a{domain=\"stuck\"}")
        .contains("qga_test_a{domain=\"web-1\"}")
        .containsPattern("qga_poll_errors_total\\{kind=\"timeout\"\\} [1-9]");
  }

  /**
   * The poller's per-domain lines are kept between scrapes: every change that alters them (a new
   * poll's timestamp, the agent going down and up, a new agent version, a collector offered again)
   * must reach the next scrape, never a stale line.
   */
  @Test
  void theKeptPollerLinesFollowEveryChange() {
    start("web-1");
    String lastSuccess =
        "qga_collector_last_success_timestamp_seconds{collector=\"a\",domain=\"web-1\"} ";
    Await.until(Duration.ofSeconds(5), "web-1 polled", () -> scrape().contains(lastSuccess));
    String first = lineOf(scrape(), lastSuccess);
    assertThat(lineOf(scrape(), lastSuccess)).isEqualTo(first); // between polls: the same line
    Await.until(
        Duration.ofSeconds(5),
        "the next poll's timestamp served",
        () -> !lineOf(scrape(), lastSuccess).equals(first));

    FakeChannel c = channels.get("web-1");
    c.mode = FakeChannel.Mode.DEAD;
    Await.until(
        Duration.ofSeconds(5),
        "down served",
        () -> scrape().contains("qga_up{domain=\"web-1\"} 0.0"));
    assertThat(scrape()).contains("qga_collector_success{collector=\"a\",domain=\"web-1\"} 0.0");

    c.commands = Set.of("cmd-a", "cmd-b");
    c.version = "9.0.0";
    c.mode = FakeChannel.Mode.HEALTHY;
    Await.until(
        Duration.ofSeconds(10),
        "up again with the new agent served",
        () -> {
          String s = scrape();
          return s.contains("qga_up{domain=\"web-1\"} 1.0")
              && s.contains("qga_agent_info{domain=\"web-1\",version=\"9.0.0\"} 1.0")
              && s.contains("qga_collector_success{collector=\"a\",domain=\"web-1\"} 1.0")
              && s.contains("qga_collector_success{collector=\"b\",domain=\"web-1\"} 1.0");
        });
    assertThat(scrape()).doesNotContain("version=\"7.2.22\"");
  }

  private static String lineOf(String page, String prefix) {
    int at = page.indexOf(prefix);
    assertThat(at).as(prefix).isNotNegative();
    return page.substring(at, page.indexOf('\n', at));
  }

  @Test
  void aRemovedDomainsSeriesAreGoneFromTheNextScrape() {
    start("web-1", "web-2");
    Await.until(
        Duration.ofSeconds(5),
        "web-2 polled",
        () -> scrape().contains("qga_test_a{domain=\"web-2\"}"));
    poller.setTargets(targets("web-1"));
    String s = scrape();
    assertThat(s).doesNotContain("domain=\"web-2\"").contains("qga_up{domain=\"web-1\"} 1.0");
    assertThat(s).contains("qga_discovered_domains 1.0");
  }
}
