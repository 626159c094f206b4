package io.qga.exporter.action;

import java.util.Objects;

/**
 * Who asked for an action: a policy (by name) or the control API (by token name). Written to the
 * audit log as {@code origin}: the policy name, or {@code api:<token name>}.
 *
 * @param policy the policy name, or null for an API run
 * @param token the API token's name, or null for a policy run
 * @param trigger why it ran: {@code schedule}, {@code condition}, {@code event}, {@code manual}
 *     (policy run now), {@code preview} (a policy dry run asked for by a user), {@code api}
 */
public record Origin(String policy, String token, String trigger) {
  public Origin {
    if ((policy == null) == (token == null)) {
      throw new IllegalArgumentException("an origin is either a policy or an API token");
    }
    Objects.requireNonNull(trigger, "trigger");
  }

  public static Origin policy(String name, String trigger) {
    return new Origin(Objects.requireNonNull(name, "policy"), null, trigger);
  }

  public static Origin api(String tokenName) {
    return new Origin(null, Objects.requireNonNull(tokenName, "token"), "api");
  }

  /** The audit log's {@code origin}: the policy name or {@code api:<token name>}. */
  public String audit() {
    return policy != null ? policy : "api:" + token;
  }

  /** The {@code policy} label of {@code qga_action_runs_total}: the policy name, or "api". */
  public String policyLabel() {
    return policy != null ? policy : "api";
  }

  /** Parses an audit {@code origin} back. */
  static Origin fromAudit(String origin, String trigger) {
    String t = trigger == null ? "" : trigger;
    if (origin.startsWith("api:")) {
      return new Origin(null, origin.substring(4), t.isEmpty() ? "api" : t);
    }
    return new Origin(origin, null, t.isEmpty() ? "schedule" : t);
  }

  /** True when a run of this origin counts as the policy's last run (cooldowns). */
  boolean countsAsPolicyRun() {
    return policy != null && !"preview".equals(trigger);
  }
}
