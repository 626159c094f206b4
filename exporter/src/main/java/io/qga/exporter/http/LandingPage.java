package io.qga.exporter.http;

import io.qga.exporter.runtime.DomainHandle;
import io.qga.exporter.runtime.DomainHandle.AgentState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Collection;

/**
 * The page at {@code /}: every domain with agent state, version, last successful poll and last
 * error. Plain HTML that reads on a phone (one column per fact, the table scrolls sideways).
 * Everything that may come from a guest or a socket path is escaped.
 */
final class LandingPage {
  private final String version;
  private final Clock clock;

  LandingPage(String version, Clock clock) {
    this.version = version;
    this.clock = clock;
  }

  String render(Collection<DomainHandle> domains, boolean ready) {
    return render(domains, ready, java.util.List.of());
  }

  /** As {@link #render(Collection, boolean)}, listing what discovery could not read first. */
  String render(
      Collection<DomainHandle> domains, boolean ready, java.util.List<String> discoveryProblems) {
    Instant now = clock.instant();
    StringBuilder html = new StringBuilder(4096);
    html.append(
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>qga-exporter</title>
        <style>
        body{font-family:sans-serif;margin:1em;line-height:1.4}
        .scroll{overflow-x:auto}
        table{border-collapse:collapse}
        th,td{border-bottom:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
        .up{color:#070}.down{color:#b00}.unknown{color:#666}
        td.error{max-width:30em;word-break:break-word}
        </style></head><body>
        """);
    html.append("<h1>qga-exporter</h1>\n<p>Version ")
        .append(Html.escape(version))
        .append(". <a href=\"/metrics\">Metrics</a> &middot; <a href=\"/-/healthy\">Health</a>")
        .append(" &middot; <a href=\"/-/ready\">Ready</a></p>\n");
    if (!ready) {
      html.append("<p>Discovery has not run yet.</p>\n");
    }
    if (!discoveryProblems.isEmpty()) {
      html.append("<h2 class=\"down\">Discovery cannot read every source</h2>\n<ul>\n");
      for (String p : discoveryProblems) {
        html.append("<li>").append(Html.escape(p)).append("</li>\n");
      }
      html.append("</ul>\n");
    }
    html.append("<h2>Domains (").append(domains.size()).append(")</h2>\n");
    if (domains.isEmpty()) {
      html.append("<p>No domain discovered.</p>\n");
    } else {
      html.append(
          "<div class=\"scroll\"><table>\n<tr><th>Domain</th><th>Agent</th><th>Version</th>"
              + "<th>Last successful poll</th><th>Last error</th><th>Channel</th><th>Route</th>"
              + "<th>Collectors</th></tr>\n");
      for (DomainHandle d : domains) {
        AgentState s = d.state();
        String state = s.up() ? "up" : s.lastError() == null ? "unknown" : "down";
        html.append("<tr><td>")
            .append(Html.escape(d.name()))
            .append("</td><td class=\"")
            .append(state)
            .append("\">")
            .append(state)
            .append(s.frozen() ? " (frozen)" : "")
            .append(d.paused() ? " (domain paused)" : "")
            .append("</td><td>")
            .append(Html.escape(s.version()))
            .append("</td><td>")
            .append(when(s.lastSuccess(), now))
            .append("</td><td class=\"error\">");
        if (s.lastError() != null) {
          html.append(Html.escape(s.lastError()))
              .append(" <small>(")
              .append(when(s.lastErrorAt(), now))
              .append(")</small>");
        }
        html.append("</td><td>").append(Html.escape(d.channel()));
        html.append("</td><td>").append(Html.escape(d.route()));
        if (!d.source().isEmpty()) {
          html.append(" <small>(").append(Html.escape(d.source())).append(")</small>");
        }
        html.append("</td><td>").append(Html.escape(collectors(d))).append("</td></tr>\n");
      }
      html.append("</table></div>\n");
    }
    html.append("</body></html>\n");
    return html.toString();
  }

  /** {@code polled: a, b; not polled: c} (unsupported by the agent or the route). */
  private static String collectors(DomainHandle d) {
    java.util.List<String> polled = new java.util.ArrayList<>();
    java.util.List<String> not = new java.util.ArrayList<>();
    d.collectors().forEach((c, state) -> (state.equals("unsupported") ? not : polled).add(c));
    String out = polled.isEmpty() ? "" : "polled: " + String.join(", ", polled);
    if (!not.isEmpty()) {
      out += (out.isEmpty() ? "" : "; ") + "not polled: " + String.join(", ", not);
    }
    return out;
  }

  private static String when(Instant t, Instant now) {
    if (t == null) {
      return "never";
    }
    Duration ago = Duration.between(t, now);
    String time = DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    return time + " (" + (ago.isNegative() ? 0 : ago.toSeconds()) + "s ago)";
  }
}
