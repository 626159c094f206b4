package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qga.client.AgentUnsupportedException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsersCollectorTest {
  private final UsersCollector collector = new UsersCollector();

  @Test
  void linuxWithNobodyLoggedIn() {
    assertThat(Texts.poll(collector, "linux-7.2"))
        .isEqualTo(
            """
            # HELP qga_users_logged_in Number of user sessions logged in to the guest.
            # TYPE qga_users_logged_in gauge
            qga_users_logged_in{domain="vm"} 0.0
            """);
  }

  @Test
  void windowsUsersAreDomainBackslashNameWithTheirEarliestSession() {
    assertThat(Texts.poll(collector, "windows"))
        .isEqualTo(
            """
            # HELP qga_user_login_timestamp_seconds Unix time of the user's earliest login session in the guest.
            # TYPE qga_user_login_timestamp_seconds gauge
            qga_user_login_timestamp_seconds{domain="vm",user="CORP\\\\alice"} 1.71678000075E9
            qga_user_login_timestamp_seconds{domain="vm",user="WIN-9J2K4LM\\\\Administrator"} 1.71679000025E9
            # HELP qga_users_logged_in Number of user sessions logged in to the guest.
            # TYPE qga_users_logged_in gauge
            qga_users_logged_in{domain="vm"} 3.0
            """);
  }

  @Test
  void qemu25LacksTheCommand() {
    FixtureChannel channel = new FixtureChannel("qemu-2.5");
    assertThatThrownBy(() -> collector.poll(channel.agent(), CollectContext.defaults()))
        .isInstanceOf(AgentUnsupportedException.class);
  }

  @Test
  void linuxSessionsCappedByDistinctUser() {
    FixtureChannel channel =
        new FixtureChannel("linux-7.2")
            .reply(
                "guest-get-users",
                """
                {"return": [
                  {"user": "root", "login-time": 1700000300.5},
                  {"user": "root", "login-time": 1700000100.25},
                  {"user": "bob", "login-time": 1700000200},
                  {"user": "eve", "login-time": 1700000400},
                  {"user": "eve", "login-time": 1700000500},
                  {"user": "mallory", "login-time": -1},
                  {"user": "trent"}
                ]}
                """);
    Limits limits = new Limits(64, 16, 64, 2, 64, 512, 128);

    DomainSamples samples = collector.poll(channel.agent(), channel.context(limits, Texts.CLOCK));

    assertThat(samples.dropped()).isEqualTo(Map.of("users", 1L, DomainSamples.INVALID_VALUES, 2L));
    assertThat(Texts.text("users", samples))
        .contains(
            """
            qga_user_login_timestamp_seconds{domain="vm",user="bob"} 1.7000002E9
            qga_user_login_timestamp_seconds{domain="vm",user="root"} 1.70000010025E9
            # HELP qga_users_logged_in Number of user sessions logged in to the guest.
            # TYPE qga_users_logged_in gauge
            qga_users_logged_in{domain="vm"} 7.0
            """);
  }
}
