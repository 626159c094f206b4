package io.qga.exporter.config;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Reads {@code policy_defaults} and {@code policies} (match, schedule, when, action) for {@link
 * ConfigLoader}.
 */
final class PolicySection {
  static final Pattern POLICY_NAME = Pattern.compile("[a-z0-9_-]{1,64}");

  private PolicySection() {}

  static PolicyDefaults policyDefaults(Reader r, Object node) {
    String path = "/policy_defaults";
    PolicyDefaults d = PolicyDefaults.DEFAULT;
    Map<String, Object> m = r.mapping(node, path, List.of("max_concurrent", "timezone"));
    return new PolicyDefaults(
        r.integer(m, path, "max_concurrent", d.maxConcurrent(), 1, 10_000),
        r.zone(m, path, "timezone").orElse(d.timezone()));
  }

  static final List<String> POLICY_KEYS =
      List.of(
          "name",
          "match",
          "schedule",
          "when",
          "action",
          "cooldown",
          "dry_run",
          "max_concurrent",
          "windows",
          "timezone",
          "jitter");
  static final List<String> WHEN_KEYS =
      List.of(
          "time_offset_above",
          "filesystem_used_ratio_above",
          "since_last_success_above",
          "agent_connected",
          "clock_jumped_above");

  static List<Policy> policies(Reader r, Object node) {
    String path = "/policies";
    List<Policy> out = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    List<Object> items = r.sequence(node, path);
    for (int i = 0; i < items.size(); i++) {
      String p = Reader.child(path, i);
      int before = r.problems().size();
      Map<String, Object> m = r.mapping(items.get(i), p, POLICY_KEYS);
      String name = r.required(m, p, "name", "[a-z0-9_-]+, unique");
      if (name != null && !POLICY_NAME.matcher(name).matches()) {
        r.problem(p + "/name", "\"" + name + "\" must be 1 to 64 of a-z 0-9 _ -");
      } else if (name != null && seen.putIfAbsent(name, p) != null) {
        r.problem(
            p + "/name", "duplicate policy name '" + name + "' (first at " + seen.get(name) + ")");
      }
      PolicyMatch match = match(r, m.get("match"), p + "/match");
      Optional<String> schedule = Optional.ofNullable(r.string(m, p, "schedule")).map(String::trim);
      schedule.ifPresent(s -> checkCron(r, s, p + "/schedule"));
      Optional<PolicyConditions> when = Optional.empty();
      if (m.containsKey("when")) {
        when = Optional.ofNullable(when(r, m.get("when"), p + "/when"));
      }
      if (!m.containsKey("schedule") && !m.containsKey("when")) {
        r.problem(p, "needs a schedule (cron) or a when (conditions), or both");
      }
      PolicyAction action = action(r, m.get("action"), p + "/action");
      Duration cooldown = r.duration(m, p, "cooldown", Duration.ZERO, false);
      boolean dryRun = r.bool(m, p, "dry_run", false);
      OptionalInt maxConcurrent = r.optionalInt(m, p, "max_concurrent", 1, 10_000);
      List<MaintenanceWindow> windows = new ArrayList<>();
      List<String> texts = r.strings(m, p, "windows", List.of());
      for (int w = 0; w < texts.size(); w++) {
        try {
          windows.add(MaintenanceWindow.parse(texts.get(w)));
        } catch (IllegalArgumentException e) {
          r.problem(Reader.child(p + "/windows", w), e.getMessage());
        }
      }
      Optional<ZoneId> zone = r.zone(m, p, "timezone");
      Duration jitter = r.duration(m, p, "jitter", Duration.ZERO, false);
      if (r.problems().size() == before && action != null) {
        out.add(
            new Policy(
                name,
                match,
                schedule,
                when,
                action,
                cooldown,
                dryRun,
                maxConcurrent,
                windows,
                zone,
                jitter));
      }
    }
    return out;
  }

  static PolicyMatch match(Reader r, Object node, String path) {
    Map<String, Object> m = r.mapping(node, path, List.of("domains", "os_ids", "require_support"));
    List<String> domains = r.strings(m, path, "domains", PolicyMatch.ALL.domains());
    if (m.get("domains") != null && domains.isEmpty() && m.get("domains") instanceof List) {
      r.problem(
          path + "/domains", "matches no domain (give at least one glob; \"*\" for every domain)");
    }
    return new PolicyMatch(
        domains.isEmpty() ? PolicyMatch.ALL.domains() : domains,
        r.strings(m, path, "os_ids", List.of()),
        r.bool(m, path, "require_support", true));
  }

  static void checkCron(Reader r, String cron, String path) {
    try {
      if (Schedule.parse(cron).nextAfter(ZoneId.of("UTC"), Instant.now()).isEmpty()) {
        r.problem(path, "\"" + cron + "\" never fires");
      }
    } catch (IllegalArgumentException e) {
      r.problem(path, e.getMessage());
    }
  }

  static PolicyConditions when(Reader r, Object node, String path) {
    Map<String, Object> m = r.mapping(node, path, WHEN_KEYS);
    boolean any = WHEN_KEYS.stream().anyMatch(k -> m.get(k) != null);
    if (!any) {
      if (node == null || (node instanceof Map<?, ?> raw && raw.isEmpty())) {
        r.problem(path, "sets no condition (valid: " + String.join(", ", WHEN_KEYS) + ")");
      }
      return null;
    }
    Optional<Duration> offset = r.optionalDuration(m, path, "time_offset_above", false);
    OptionalDouble ratio = r.ratio(m, path, "filesystem_used_ratio_above");
    Optional<Duration> since = r.optionalDuration(m, path, "since_last_success_above", false);
    Optional<Boolean> connected = r.optionalBool(m, path, "agent_connected");
    Optional<Duration> jumped = r.optionalDuration(m, path, "clock_jumped_above", true);
    return new PolicyConditions(offset, ratio, since, connected, jumped);
  }

  static PolicyAction action(Reader r, Object node, String path) {
    if (node == null) {
      r.problem(
          path.substring(0, path.lastIndexOf('/')),
          "needs an action (valid: " + String.join(", ", PolicyAction.NAMES) + ")");
      return null;
    }
    Map<String, Object> m = r.mapping(node, path, PolicyAction.NAMES, "action", Map.of());
    if (m.size() > 1) {
      r.problem(
          path,
          "has "
              + m.size()
              + " actions ("
              + String.join(", ", m.keySet())
              + "): a rule runs exactly one");
      return null;
    }
    if (m.isEmpty()) {
      if (node instanceof Map<?, ?> raw && raw.isEmpty()) {
        r.problem(path, "needs an action (valid: " + String.join(", ", PolicyAction.NAMES) + ")");
      }
      return null;
    }
    String name = m.keySet().iterator().next();
    String p = path + "/" + name;
    if (name.equals("fstrim")) {
      Map<String, Object> f = r.mapping(m.get(name), p, List.of("minimum"));
      return new PolicyAction.Fstrim(r.integer(f, p, "minimum", 0L, 0L, Long.MAX_VALUE));
    }
    Map<String, Object> t = r.mapping(m.get(name), p, List.of("source", "max_step"));
    PolicyAction.TimeSource source = PolicyAction.TimeSource.HOST;
    String s = r.string(t, p, "source");
    if (s != null) {
      switch (s.trim()) {
        case "host" -> source = PolicyAction.TimeSource.HOST;
        case "rtc" -> source = PolicyAction.TimeSource.RTC;
        default ->
            r.problem(p + "/source", "\"" + s + "\" is not a time source (valid: host, rtc)");
      }
    }
    return new PolicyAction.TimeSync(
        source, r.duration(t, p, "max_step", Duration.ofHours(1), true));
  }
}
