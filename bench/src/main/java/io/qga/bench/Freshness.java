package io.qga.bench;

import io.qga.exporter.config.CollectorsConfig;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How old each healthy domain's data is at a scrape, read from the page as Prometheus reads it. */
final class Freshness {
  private static final Pattern SERIES = Pattern.compile("^([a-z_]+)\\{([^}]*)\\} (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-z_]+)=\"([^\"]*)\"");

  private Freshness() {}

  /**
   * Adds the age / interval of every healthy domain's supported collectors to {@code out}; a
   * collector with {@code qga_collector_success} but no last success counts as infinitely old. With
   * {@code countMissing}, adds nothing and returns the count of healthy domains with no series at
   * all.
   */
  static int add(
      String body, double now, Set<String> healthy, List<Double> out, boolean countMissing) {
    Map<String, Double> last = new HashMap<>();
    Set<String> expected = new HashSet<>();
    Set<String> seen = new HashSet<>();
    for (String line : body.split("\n")) {
      Matcher m = SERIES.matcher(line);
      if (!m.matches()) {
        continue;
      }
      String name = m.group(1);
      if (!name.equals("qga_collector_success")
          && !name.equals("qga_collector_last_success_timestamp_seconds")) {
        continue;
      }
      Map<String, String> labels = new HashMap<>();
      Matcher l = LABEL.matcher(m.group(2));
      while (l.find()) {
        labels.put(l.group(1), l.group(2));
      }
      String domain = labels.get("domain");
      if (!healthy.contains(domain)) {
        continue;
      }
      seen.add(domain);
      String key = domain + "/" + labels.get("collector");
      if (name.equals("qga_collector_success")) {
        expected.add(key);
      } else {
        last.put(key, Double.parseDouble(m.group(3)));
      }
    }
    if (countMissing) {
      return healthy.size() - seen.size();
    }
    for (String key : expected) {
      Double ts = last.get(key);
      double interval =
          CollectorsConfig.DEFAULT.interval(key.substring(key.indexOf('/') + 1)).toMillis()
              / 1000.0;
      out.add(ts == null ? Double.POSITIVE_INFINITY : (now - ts) / interval);
    }
    return 0;
  }
}
