package io.qga.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.client.api.GuestAgent;
import io.qga.exporter.runtime.DomainHandle;
import io.qga.exporter.runtime.GuestData;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LandingPageTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private final LandingPage page = new LandingPage("1.0", Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void showsStateVersionLastPollAndLastErrorPerDomain() {
    String html =
        page.render(
            List.of(
                domain(
                    "web-1",
                    new DomainHandle.AgentState(
                        true, "9.2.2", NOW.minusSeconds(7), null, null, false)),
                domain(
                    "db-1",
                    new DomainHandle.AgentState(
                        false,
                        "7.2.22",
                        NOW.minusSeconds(90),
                        "no reply within 5000 ms",
                        NOW.minusSeconds(3),
                        false)),
                domain("new-1", new DomainHandle.AgentState(false, "", null, null, null, false))),
            true);
    assertThat(html)
        .contains(
            "<td>web-1</td><td class=\"up\">up</td><td>9.2.2</td><td>2026-03-01T11:59:53Z (7s"
                + " ago)</td>")
        .contains("<td>db-1</td><td class=\"down\">down</td><td>7.2.22</td>")
        .contains("no reply within 5000 ms <small>(2026-03-01T11:59:57Z (3s ago))</small>")
        .contains("<td>new-1</td><td class=\"unknown\">unknown</td><td></td><td>never</td>")
        .contains("Domains (3)")
        .doesNotContain("Discovery has not run yet");
  }

  @Test
  void saysSoBeforeTheFirstDiscovery() {
    assertThat(page.render(List.of(), false))
        .contains("Discovery has not run yet")
        .contains("No domain discovered");
  }

  private static DomainHandle domain(String name, DomainHandle.AgentState state) {
    return new DomainHandle() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Optional<String> uuid() {
        return Optional.empty();
      }

      @Override
      public String channel() {
        return "/run/qga/" + name + ".sock";
      }

      @Override
      public GuestAgent agent() {
        throw new UnsupportedOperationException();
      }

      @Override
      public AgentState state() {
        return state;
      }

      @Override
      public GuestData guest() {
        return GuestData.EMPTY;
      }
    };
  }
}
