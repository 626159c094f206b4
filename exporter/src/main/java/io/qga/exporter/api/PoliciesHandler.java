package io.qga.exporter.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.exporter.action.ActionExecutor;
import io.qga.exporter.action.Origin;
import io.qga.exporter.api.Auth.Caller;
import io.qga.exporter.config.Policy;
import io.qga.exporter.config.Role;
import io.qga.exporter.policy.Plan;
import io.qga.exporter.policy.PolicyEngine;
import io.qga.exporter.policy.PolicyStatus;
import io.qga.exporter.policy.UnknownPolicyException;
import io.qga.exporter.runtime.DomainDirectory;
import io.qga.exporter.runtime.DomainHandle;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code GET /api/v1/policies} and {@code POST /api/v1/policies/{name}/run}. */
final class PoliciesHandler {
  private static final Logger LOG = Logger.getLogger(PoliciesHandler.class.getName());

  private final PolicyEngine policies;
  private final DomainDirectory domains;
  private final ActionExecutor executor;
  private final Clock clock;

  /**
   * @param policies null: no engine, an empty list and 404 for every run
   */
  PoliciesHandler(
      PolicyEngine policies, DomainDirectory domains, ActionExecutor executor, Clock clock) {
    this.policies = policies;
    this.domains = domains;
    this.executor = executor;
    this.clock = clock;
  }

  /** {@code rest}: the path after {@code /api/v1/policies}. */
  Reply handle(ApiRouter.Call call, List<String> rest) throws IOException {
    Request req = call.request();
    if (rest.isEmpty()) {
      req.method("GET");
      call.require(Role.READER, "list policies");
      return new Reply(200, list());
    }
    if (rest.size() == 2 && rest.get(1).equals("run")) {
      req.method("POST");
      call.require(Role.OPERATOR, "run a policy");
      req.body(call.settings().api().maxBody(), Bodies.None.class);
      return new Reply(200, run(rest.get(0), req.flag("dry_run"), call.caller()));
    }
    throw req.notFound();
  }

  private Responses.PolicyList list() {
    List<Responses.PolicyView> out = new ArrayList<>();
    if (policies != null) {
      for (PolicyStatus st : policies.policies()) {
        Policy p = st.policy();
        Instant last = null;
        for (DomainHandle d : domains.all()) {
          Instant t = executor.state().lastRun(p.name(), d.name()).orElse(null);
          if (t != null && (last == null || t.isAfter(last))) {
            last = t;
          }
        }
        out.add(
            new Responses.PolicyView(
                p.name(),
                p.action().name(),
                p.schedule().orElse(null),
                p.dryRun(),
                st.nextRun() == null ? null : st.nextRun().toString(),
                last == null ? null : last.toString()));
      }
    }
    return new Responses.PolicyList(out);
  }

  private Responses.PolicyRun run(String name, boolean dry, Caller caller) {
    if (policies == null) {
      throw ApiException.notFound("unknown policy: " + Views.cut(name) + " (no policy engine)");
    }
    Plan plan;
    try {
      plan = policies.runNow(name, dry);
    } catch (UnknownPolicyException e) {
      throw ApiException.notFound(e.getMessage());
    }
    List<Responses.DecisionView> decisions = new ArrayList<>();
    ArrayNode jobs = JsonNodeFactory.instance.arrayNode();
    for (Plan.Step step : plan.domains()) {
      String job = step.job() == null ? null : Views.jobId(step.job());
      decisions.add(
          new Responses.DecisionView(
              step.domain(),
              step.decision().run() ? "run" : "skip",
              step.decision().reason(),
              job));
      if (job != null) {
        jobs.add(job);
      }
    }
    // the runs are audited under the policy's name; this line says which token asked for them
    ObjectNode audit = JsonNodeFactory.instance.objectNode();
    audit.put("timestamp", clock.instant().toString());
    audit.put("request", "POST /api/v1/policies/" + plan.policy() + "/run");
    audit.put("origin", Origin.api(caller.name()).audit());
    audit.put("trigger", "api");
    audit.put("policy", plan.policy());
    audit.put("dry_run", plan.dryRun());
    audit.set("jobs", jobs);
    try {
      executor.audit().append(audit);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.SEVERE, "cannot write the audit log: " + e.getMessage(), e);
    }
    return new Responses.PolicyRun(plan.policy(), plan.action(), plan.dryRun(), decisions);
  }
}
