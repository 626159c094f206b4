package io.qga.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** check-config shows how each schedule was read and its next three runs in UTC and its zone. */
class CheckConfigScheduleTest {
  @TempDir Path dir;

  @Test
  void printsEachScheduledPolicysNextThreeRuns() throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(
        file,
        """
        policy_defaults: {timezone: Europe/Berlin}
        policies:
          - {name: weekly, schedule: "0 3 * * 0", action: {fstrim: {}}}
          - {name: either, schedule: "30 4 1,15 * 5", timezone: UTC, action: {fstrim: {}}}
          - {name: quartz, schedule: "0 0 3 ? * SUN", timezone: America/New_York, action: {fstrim: {}}}
          - {name: drift, when: {time_offset_above: 1s}, action: {time_sync: {}}}
          - {name: monthly, schedule: "@monthly", timezone: UTC, action: {fstrim: {}}}
        """);
    CheckConfigCommand command = new CheckConfigCommand();
    // Tuesday 1 December 2026, 12:00 UTC
    command.clock = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out, true));
    assertThat(cl.execute("--config", file.toString())).isZero();
    assertThat(out.toString().replace(System.lineSeparator(), "\n"))
        .isEqualTo(
            file
                + ": OK (0 static, 0 globs, libvirt off, 5 policies, 0 tokens)\n"
                + """
                policy weekly: schedule "0 3 * * 0" (crontab, as Quartz "0 0 3 ? * SUN") in zone Europe/Berlin (policy_defaults.timezone); next runs (UTC = Europe/Berlin):
                  2026-12-06T02:00Z = 2026-12-06 Sun 03:00 +01:00
                  2026-12-13T02:00Z = 2026-12-13 Sun 03:00 +01:00
                  2026-12-20T02:00Z = 2026-12-20 Sun 03:00 +01:00
                policy either: schedule "30 4 1,15 * 5" (crontab, as Quartz "0 30 4 1,15 * ?" or "0 30 4 ? * FRI") in zone UTC (its timezone); next runs (UTC = UTC):
                  2026-12-04T04:30Z = 2026-12-04 Fri 04:30 +00:00
                  2026-12-11T04:30Z = 2026-12-11 Fri 04:30 +00:00
                  2026-12-15T04:30Z = 2026-12-15 Tue 04:30 +00:00
                policy quartz: schedule "0 0 3 ? * SUN" (Quartz) in zone America/New_York (its timezone); next runs (UTC = America/New_York):
                  2026-12-06T08:00Z = 2026-12-06 Sun 03:00 -05:00
                  2026-12-13T08:00Z = 2026-12-13 Sun 03:00 -05:00
                  2026-12-20T08:00Z = 2026-12-20 Sun 03:00 -05:00
                policy monthly: schedule "@monthly" (crontab shorthand for "0 0 1 * *", as Quartz "0 0 0 1 * ?") in zone UTC (its timezone); next runs (UTC = UTC):
                  2027-01-01T00:00Z = 2027-01-01 Fri 00:00 +00:00
                  2027-02-01T00:00Z = 2027-02-01 Mon 00:00 +00:00
                  2027-03-01T00:00Z = 2027-03-01 Mon 00:00 +00:00
                """);
  }
}
