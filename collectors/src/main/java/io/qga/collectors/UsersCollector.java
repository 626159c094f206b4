package io.qga.collectors;

import io.qga.client.api.GuestAgent;
import io.qga.client.api.User;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code guest-get-users}: how many sessions are logged in, and when each user logged in. A user
 * with several sessions appears once, with the earliest login. Windows users carry a domain and are
 * named as Windows writes them, {@code DOMAIN\name}, so {@code CORP\alice} and {@code WS1\alice}
 * stay apart.
 */
final class UsersCollector implements Collector {
  static final MetricFamily LOGGED_IN =
      MetricFamily.gauge("qga_users_logged_in", "Number of user sessions logged in to the guest.");
  static final MetricFamily LOGIN_TIMESTAMP =
      MetricFamily.gaugeIn(
          "seconds",
          "qga_user_login_timestamp_seconds",
          "Unix time of the user's earliest login session in the guest.",
          "user");

  @Override
  public String name() {
    return "users";
  }

  @Override
  public List<String> commands() {
    return List.of("guest-get-users");
  }

  @Override
  public void collect(GuestAgent agent, CollectContext context, SampleSink out) {
    List<User> users = agent.getUsers();
    out.keep(GuestRecord.Users.of(users, out.limits()));
    out.gauge(LOGGED_IN, users.size());
    int max = out.limits().maxUsers();
    Map<String, Double> earliest = new LinkedHashMap<>();
    Set<String> droppedUsers = new HashSet<>();
    for (User user : users) {
      if (user == null || user.user() == null) {
        out.dropped(DomainSamples.INVALID_VALUES, 1);
        continue;
      }
      String name = user.domain() == null ? user.user() : user.domain() + "\\" + user.user();
      Double login = user.loginTime();
      boolean validLogin = login != null && Double.isFinite(login) && login >= 0;
      if (!validLogin) {
        out.dropped(DomainSamples.INVALID_VALUES, 1);
        continue;
      }
      if (earliest.containsKey(name)) {
        earliest.merge(name, login, Math::min);
      } else if (earliest.size() < max) {
        earliest.put(name, login);
      } else {
        droppedUsers.add(name);
      }
    }
    out.dropped("users", droppedUsers.size());
    earliest.forEach((name, login) -> out.gauge(LOGIN_TIMESTAMP, login, name));
  }
}
