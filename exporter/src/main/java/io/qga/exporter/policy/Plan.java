package io.qga.exporter.policy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What a policy run (or dry run) does to which domain, and why: the answer of {@link
 * PolicyEngine#dryRun} and {@link PolicyEngine#runNow}.
 *
 * @param dryRun true when nothing was (or would be) done to any guest
 */
public record Plan(
    String policy, String action, ObjectNode arguments, boolean dryRun, List<Step> domains) {
  public Plan {
    domains = List.copyOf(domains);
    arguments = arguments.deepCopy();
  }

  /**
   * One domain: the decision and, when an action was queued (or audited as a dry run), its job.
   *
   * @param job the job id, or null when the domain was skipped
   */
  public record Step(String domain, Decision decision, String job) {}

  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("policy", policy);
    o.put("action", action);
    o.set("arguments", arguments.deepCopy());
    o.put("dry_run", dryRun);
    ArrayNode a = o.putArray("domains");
    for (Step s : domains) {
      ObjectNode n = a.addObject();
      n.put("domain", s.domain());
      n.put("run", s.decision().run());
      n.put("reason", s.decision().reason());
      if (s.job() != null) {
        n.put("job", s.job());
      }
    }
    return o;
  }
}
