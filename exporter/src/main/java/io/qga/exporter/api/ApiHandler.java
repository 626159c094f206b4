package io.qga.exporter.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.qga.client.AgentConnectionException;
import io.qga.client.AgentErrorException;
import io.qga.client.AgentException;
import io.qga.client.AgentTimeoutException;
import io.qga.client.AgentUnsupportedException;
import io.qga.client.Deadlines;
import io.qga.client.api.ShutdownMode;
import io.qga.exporter.action.Action;
import io.qga.exporter.action.ActionBusyException;
import io.qga.exporter.action.ActionExecutor;
import io.qga.exporter.action.ActionRecord;
import io.qga.exporter.action.ActionRejectedException;
import io.qga.exporter.action.ActionRequest;
import io.qga.exporter.action.Command;
import io.qga.exporter.action.DomainFrozenException;
import io.qga.exporter.action.Freeze;
import io.qga.exporter.action.FreezeGuard;
import io.qga.exporter.action.Fstrim;
import io.qga.exporter.action.Job;
import io.qga.exporter.action.Origin;
import io.qga.exporter.action.Outcome;
import io.qga.exporter.action.Shutdown;
import io.qga.exporter.action.Thaw;
import io.qga.exporter.action.TimeSync;
import io.qga.exporter.action.UnknownDomainException;
import io.qga.exporter.api.Auth.Caller;
import io.qga.exporter.config.ApiConfig;
import io.qga.exporter.config.Durations;
import io.qga.exporter.config.Glob;
import io.qga.exporter.config.Policy;
import io.qga.exporter.config.Role;
import io.qga.exporter.policy.Plan;
import io.qga.exporter.policy.PolicyEngine;
import io.qga.exporter.policy.PolicyStatus;
import io.qga.exporter.policy.UnknownPolicyException;
import io.qga.exporter.runtime.DomainDirectory;
import io.qga.exporter.runtime.DomainHandle;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The dispatcher of {@code /api/}: authentication, routing, roles, input checks, and the mapping
 * of outcomes to status codes (docs/api.md). Order of checks: API enabled (403), token (401),
 * endpoint (404/405), role (403), body (413/415/400), domain (404), state (409/503).
 */
final class ApiHandler implements HttpHandler {
  private static final System.Logger LOG = System.getLogger(ApiHandler.class.getName());
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  /** Commands the passthrough runs directly (read-only); others go through the executor. */
  static final List<String> READ_ONLY =
      List.of("guest-info", "guest-ping", "guest-get-*", "guest-network-get-*", "guest-fsfreeze-status");
  static final String DISABLED =
      "the control API is off: no api.tokens are configured. Add a token to config.yaml"
          + " (api: tokens: [{name: NAME, token_file: PATH or sha256: HEX, role: reader|operator|admin}])"
          + " and reload (SIGHUP) to enable it";

  private final Supplier<ControlApi.Settings> settings;
  private final DomainDirectory domains;
  private final ActionExecutor executor;
  private final PolicyEngine policies;
  private final FreezeGuard guard;
  private final Clock clock;
  private final byte[] openapi;
  private final AuthFailures failures;
  /** Requests waiting on a guest (api.max_live_calls); a {@code ?wait=} over it gets 202 at once. */
  private final LiveCalls live = new LiveCalls();

  ApiHandler(
      Supplier<ControlApi.Settings> settings,
      DomainDirectory domains,
      ActionExecutor executor,
      PolicyEngine policies,
      FreezeGuard guard,
      Clock clock,
      byte[] openapi,
      AuthFailures failures) {
    this.failures = failures;
    this.settings = settings;
    this.domains = domains;
    this.executor = executor;
    this.policies = policies;
    this.guard = guard;
    this.clock = clock;
    this.openapi = openapi;
  }

  /** A response: status, a JSON body (or bytes already JSON), extra headers. */
  record Reply(int status, JsonNode body, byte[] raw, Map<String, String> headers) {
    Reply(int status, JsonNode body, Map<String, String> headers) {
      this(status, body, null, headers);
    }

    Reply(int status, JsonNode body) {
      this(status, body, null, Map.of());
    }
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    Reply reply;
    try {
      reply = dispatch(exchange);
    } catch (ApiException e) {
      Map<String, String> headers = Map.of();
      if (e.status() == 401) {
        headers = Map.of("WWW-Authenticate", "Bearer realm=\"qga-exporter\"");
      } else if (e.status() == 405) {
        headers = Map.of("Allow", e.body().path("allow").asText());
      } else if (e.status() == 429) {
        headers = Map.of("Retry-After", e.body().path("retry_after_seconds").asText("1"));
      }
      reply = new Reply(e.status(), e.body(), headers);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "API request " + exchange.getRequestURI() + " failed", e);
      reply = new Reply(500, new ApiException(500, "internal error: " + e.getClass().getSimpleName()).body());
    }
    send(exchange, reply);
  }

  static void send(HttpExchange exchange, Reply reply) throws IOException {
    byte[] bytes =
        reply.raw() != null
            ? reply.raw()
            : Request.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(reply.body());
    var h = exchange.getResponseHeaders();
    h.set("Content-Type", "application/json");
    h.set("Cache-Control", "no-store");
    h.set("X-Content-Type-Options", "nosniff");
    reply.headers().forEach(h::set);
    if (reply.status() == 413) {
      h.set("Connection", "close");
    }
    exchange.sendResponseHeaders(reply.status(), bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private Reply dispatch(HttpExchange exchange) throws IOException {
    ControlApi.Settings s = settings.get();
    if (!s.auth().enabled()) {
      throw new ApiException(403, DISABLED);
    }
    Request req = new Request(exchange);
    List<String> p = req.segments();
    if (p.size() == 3 && p.get(1).equals("v1") && p.get(2).equals("openapi.json")) {
      method(req, "GET");
      return new Reply(200, null, openapi, Map.of());
    }
    Caller caller = authenticate(req, s);
    if (p.size() < 3 || !p.get(0).equals("api") || !p.get(1).equals("v1")) {
      throw notFound(req);
    }
    String area = p.get(2);
    if (area.equals("domains")) {
      if (p.size() == 3) {
        method(req, "GET");
        role(caller, Role.READER, "list domains");
        ArrayNode list = F.arrayNode();
        domains.all().forEach(d -> list.add(Views.summary(d, guard)));
        ObjectNode o = F.objectNode();
        o.set("domains", list);
        return new Reply(200, o);
      }
      DomainHandle domain = null;
      if (p.size() == 4) {
        method(req, "GET");
        role(caller, Role.READER, "read a domain");
        domain = domain(p.get(3));
        return new Reply(
            200,
            Views.detail(domain, guard, executor.state().lastSuccesses().get(domain.name())));
      }
      if (p.size() == 5) {
        return domainAction(req, s, caller, p.get(3), p.get(4));
      }
      throw notFound(req);
    }
    if (area.equals("jobs") && p.size() == 4) {
      method(req, "GET");
      role(caller, Role.READER, "read a job");
      return jobReply(job(p.get(3), s), req.waitFor(s.api().maxWait()), false);
    }
    if (area.equals("policies")) {
      if (p.size() == 3) {
        method(req, "GET");
        role(caller, Role.READER, "list policies");
        return new Reply(200, policyList());
      }
      if (p.size() == 5 && p.get(4).equals("run")) {
        method(req, "POST");
        role(caller, Role.OPERATOR, "run a policy");
        req.body(s.api().maxBody(), Set.of());
        return new Reply(200, runPolicy(p.get(3), req.flag("dry_run"), caller));
      }
    }
    throw notFound(req);
  }

  private static ApiException notFound(Request req) {
    return ApiException.notFound("no such endpoint: " + Views.cut("/" + String.join("/", req.segments())));
  }

  private Caller authenticate(Request req, ControlApi.Settings s) {
    String what = req.method() + " " + Views.cut("/" + String.join("/", req.segments()));
    String header = req.header("Authorization");
    if (header == null) {
      failures.record(AuthFailures.Reason.MISSING, req.remote(), what);
      throw new ApiException(401, "missing Authorization: Bearer TOKEN header");
    }
    String token = Auth.bearer(header);
    if (token == null) {
      failures.record(AuthFailures.Reason.MALFORMED, req.remote(), what);
      throw new ApiException(401, "the Authorization header must be \"Bearer TOKEN\"");
    }
    Optional<Caller> caller = s.auth().verify(token);
    if (caller.isEmpty()) {
      failures.record(AuthFailures.Reason.INVALID, req.remote(), what);
      throw new ApiException(401, "invalid token");
    }
    return caller.get();
  }

  private static void role(Caller caller, Role required, String what) {
    if (!caller.role().atLeast(required)) {
      throw new ApiException(
              403,
              "token \"" + caller.name() + "\" has role " + caller.role().configName() + "; to "
                  + what + " it needs " + required.configName() + " or higher")
          .with("required_role", required.configName());
    }
  }

  private static void method(Request req, String allowed) {
    if (!req.method().equals(allowed)) {
      ApiException e = new ApiException(405, "use " + allowed + " for this endpoint");
      e.with("allow", allowed);
      throw e;
    }
  }

  private DomainHandle domain(String name) {
    return domains
        .find(name)
        .orElseThrow(() -> ApiException.notFound("unknown domain: " + Views.cut(name)));
  }

  // --- actions on a domain -----------------------------------------------------------------

  private Reply domainAction(
      Request req, ControlApi.Settings s, Caller caller, String name, String verb)
      throws IOException {
    ApiConfig api = s.api();
    switch (verb) {
      case "ping" -> {
        method(req, "POST");
        role(caller, Role.READER, "ping");
        req.body(api.maxBody(), Set.of());
        return ping(domain(name), s);
      }
      case "fstrim" -> {
        method(req, "POST");
        role(caller, Role.OPERATOR, "run fstrim");
        ObjectNode b = req.body(api.maxBody(), Set.of("minimum"));
        Long minimum = null;
        if (b.has("minimum") && !b.get("minimum").isNull()) {
          JsonNode m = b.get("minimum");
          if (!m.canConvertToExactIntegral() || !m.canConvertToLong() || m.asLong() < 0) {
            throw ApiException.badField("minimum", "minimum must be an integer >= 0 (bytes), not " + Views.cut(m.toString()));
          }
          minimum = m.asLong();
        }
        return submit(req, s, caller, domain(name), new Fstrim(minimum));
      }
      case "time-sync" -> {
        method(req, "POST");
        role(caller, Role.OPERATOR, "sync the guest clock");
        ObjectNode b = req.body(api.maxBody(), Set.of("source"));
        TimeSync.Source source = TimeSync.Source.HOST;
        if (b.has("source") && !b.get("source").isNull()) {
          JsonNode v = b.get("source");
          if (!v.isTextual() || !(v.asText().equals("host") || v.asText().equals("rtc"))) {
            throw ApiException.badField("source", "source must be \"host\" or \"rtc\", not " + Views.cut(v.toString()));
          }
          source = TimeSync.Source.parse(v.asText());
        }
        return submit(req, s, caller, domain(name), new TimeSync(source, null));
      }
      case "fsfreeze" -> {
        method(req, "POST");
        role(caller, Role.OPERATOR, "freeze filesystems");
        ObjectNode b = req.body(api.maxBody(), Set.of("deadline"));
        Duration deadline = api.fsfreezeDefaultDeadline();
        if (b.has("deadline") && !b.get("deadline").isNull()) {
          JsonNode v = b.get("deadline");
          try {
            deadline =
                v.isIntegralNumber()
                    ? Duration.ofSeconds(v.asLong())
                    : v.isTextual() ? Durations.parse(v.asText()) : null;
          } catch (IllegalArgumentException e) {
            throw ApiException.badField("deadline", "deadline: " + e.getMessage());
          }
          if (deadline == null) {
            throw ApiException.badField("deadline", "deadline must be a duration like \"60s\"");
          }
        }
        if (deadline.compareTo(Duration.ofSeconds(1)) < 0) {
          throw ApiException.badField("deadline", "deadline must be at least 1s");
        }
        if (deadline.compareTo(api.fsfreezeMaxDeadline()) > 0) {
          throw ApiException.badField(
              "deadline",
              "deadline " + Durations.format(deadline) + " is longer than api.fsfreeze_max_deadline ("
                  + Durations.format(api.fsfreezeMaxDeadline()) + ")");
        }
        DomainHandle d = domain(name);
        if (!req.flag("dry_run")) {
          try {
            guard.checkWritable();
          } catch (FreezeGuard.PromiseException e) {
            // the job would fail the same way; say it now, with nothing queued or frozen
            throw new ApiException(503, e.getMessage());
          }
        }
        Instant until = clock.instant().plus(deadline);
        return submit(req, s, caller, d, new Freeze(deadline, until, caller.name(), guard));
      }
      case "fsthaw" -> {
        method(req, "POST");
        role(caller, Role.OPERATOR, "thaw filesystems");
        req.body(api.maxBody(), Set.of());
        return submit(req, s, caller, domain(name), new Thaw(false, guard));
      }
      case "shutdown" -> {
        method(req, "POST");
        role(caller, Role.ADMIN, "shut a guest down");
        ObjectNode b = req.body(api.maxBody(), Set.of("mode"));
        ShutdownMode mode = ShutdownMode.POWERDOWN;
        if (b.has("mode") && !b.get("mode").isNull()) {
          JsonNode v = b.get("mode");
          mode =
              switch (v.isTextual() ? v.asText() : "") {
                case "powerdown" -> ShutdownMode.POWERDOWN;
                case "reboot" -> ShutdownMode.REBOOT;
                case "halt" -> ShutdownMode.HALT;
                default ->
                    throw ApiException.badField(
                        "mode", "mode must be \"powerdown\", \"reboot\" or \"halt\", not " + Views.cut(v.toString()));
              };
        }
        return submit(req, s, caller, domain(name), new Shutdown(mode, s.commandTimeout()));
      }
      case "command" -> {
        method(req, "POST");
        role(caller, Role.ADMIN, "run an agent command");
        ObjectNode b = req.body(api.maxBody(), Set.of("execute", "arguments"));
        return command(s, caller, domain(name), b);
      }
      default -> throw notFound(req);
    }
  }

  /**
   * Queues an action: 202 with the job (or 200 with the finished job after {@code ?wait=}).
   * Refuses with 409 when the domain is busy (unless {@code ?queue=true}) or frozen, with 503
   * when the poller finds the agent down.
   */
  private Reply submit(
      Request req, ControlApi.Settings s, Caller caller, DomainHandle d, Action action) {
    boolean dry = req.flag("dry_run");
    boolean queue = req.flag("queue");
    Duration wait = req.waitFor(s.api().maxWait());
    if (!dry) {
      if (action.blockedByFreeze()) {
        guard
            .promised(d.name())
            .ifPresent(
                p -> {
                  throw ApiException.conflict(
                          "domain " + d.name() + " is frozen by api:" + p.token() + " until "
                              + p.until() + ": " + action.name() + " waits for a thaw (POST .../fsthaw)")
                      .with("frozen", true)
                      .with("frozen_until", p.until().toString());
                });
      }
      DomainHandle.AgentState st = d.state();
      // down after having been seen (a domain never polled yet is given the benefit of the doubt)
      if (st != null && !st.up() && (st.lastError() != null || st.lastSuccess() != null)) {
        throw new ApiException(
                503, "the agent of " + d.name() + " is not responding; nothing was queued")
            .with(
                "tried",
                "polling " + d.channel() + ": "
                    + (st.lastError() == null ? "no answer" : Views.cut(st.lastError()))
                    + (st.lastErrorAt() == null ? "" : " (at " + st.lastErrorAt() + ")"));
      }
    }
    ActionRequest request =
        ActionRequest.of(d.name(), action, Origin.api(caller.name()))
            .withDryRun(dry)
            .withWhenBusy(queue ? ActionRequest.WhenBusy.WAIT : ActionRequest.WhenBusy.FAIL)
            .withReason("POST /api/v1/domains/" + d.name() + "/" + verbOf(action));
    Job job;
    try {
      job = executor.submit(request);
    } catch (UnknownDomainException e) {
      throw ApiException.notFound(e.getMessage());
    } catch (ActionBusyException e) {
      throw ApiException.conflict(e.getMessage() + "; retry later, or add ?queue=true to wait in line")
          .with("busy_job", Views.jobId(e.busyJob()));
    } catch (DomainFrozenException e) {
      throw ApiException.conflict(e.getMessage()).with("frozen", true);
    } catch (ActionRejectedException e) {
      throw new ApiException(503, e.getMessage());
    }
    return jobReply(job, wait, true);
  }

  private static String verbOf(Action action) {
    return switch (action.name()) {
      case "time_sync" -> "time-sync";
      default -> action.name();
    };
  }

  /** 200 with the job when it is done (after waiting up to {@code wait}), else 202. */
  private Reply jobReply(Job job, Duration wait, boolean created) {
    LiveCalls.Slot slot;
    if (job.state() != Job.State.DONE
        && !wait.isZero()
        && (slot = live.tryEnter(settings.get().api().maxLiveCalls())) != null) {
      try (slot) {
        job.result().get(wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        // still running: answer with what there is
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    String location = Views.jobLocation(job.id());
    if (job.record().isPresent()) {
      return new Reply(200, Views.job(job), created ? Map.of("Location", location) : Map.of());
    }
    if (!created) {
      return new Reply(200, Views.job(job));
    }
    ObjectNode o = F.objectNode();
    o.put("job", Views.jobId(job.id()));
    o.put("state", "running");
    o.put("location", location);
    return new Reply(202, o, Map.of("Location", location));
  }

  private Job job(String id, ControlApi.Settings s) {
    Job job =
        executor
            .job(Views.executorId(id))
            .orElseThrow(() -> ApiException.notFound("unknown job: " + Views.cut(id)));
    Optional<ActionRecord> r = job.record();
    if (r.isPresent() && r.get().timestamp().plus(s.api().jobRetention()).isBefore(clock.instant())) {
      throw ApiException.notFound(
          "job " + Views.cut(id) + " finished more than api.job_retention ("
              + Durations.format(s.api().jobRetention()) + ") ago; see the audit log");
    }
    return job;
  }

  // --- live calls ----------------------------------------------------------------------------

  private Reply ping(DomainHandle d, ControlApi.Settings s) {
    Duration timeout = s.commandTimeout();
    long t0 = System.nanoTime();
    try (LiveCalls.Slot slot = live.enter(s.api().maxLiveCalls(), timeout, "guest-ping")) {
      d.agent().withTimeout(timeout).ping();
    } catch (AgentTimeoutException | AgentConnectionException e) {
      throw notResponding(d, "guest-ping", timeout, e);
    } catch (AgentException e) {
      throw agentError(e);
    }
    ObjectNode o = F.objectNode();
    o.put("domain", d.name());
    o.put("ok", true);
    o.put("rtt_seconds", (System.nanoTime() - t0) / 1e9);
    return new Reply(200, o);
  }

  private ApiException notResponding(DomainHandle d, String command, Duration timeout, AgentException e) {
    ApiException x =
        new ApiException(503, "the agent of " + d.name() + " is not responding")
            .with(
                "tried",
                command + " on " + d.channel() + " within " + Durations.format(timeout)
                    + " (synced first): " + Views.cut(e.getMessage()));
    for (Job j : executor.active()) {
      if (j.request().domain().equals(d.name()) && j.state() == Job.State.RUNNING) {
        x.with("busy_job", Views.jobId(j.id()));
        x.with("busy_action", j.request().action().name());
      }
    }
    return x;
  }

  private static ApiException agentError(AgentException e) {
    if (e instanceof AgentErrorException a) {
      boolean unsupported = a instanceof AgentUnsupportedException;
      ApiException x =
          new ApiException(unsupported ? 422 : 502, "the agent refused " + a.command() + ": " + Views.cut(a.description()))
              .with("class", a.errorClass())
              .with("desc", Views.cut(a.description()));
      if (unsupported) {
        x.with("unsupported", true);
      }
      return x;
    }
    return new ApiException(502, "the agent's reply broke the protocol: " + Views.cut(e.getMessage()));
  }

  private Reply command(ControlApi.Settings s, Caller caller, DomainHandle d, ObjectNode b) {
    JsonNode ex = b.get("execute");
    if (ex == null || !ex.isTextual() || !ex.asText().matches("[a-z][a-z0-9-]{0,63}")) {
      throw ApiException.badField("execute", "execute must be an agent command name like \"guest-get-osinfo\"");
    }
    String name = ex.asText();
    JsonNode argsNode = b.get("arguments");
    if (argsNode != null && !argsNode.isNull() && !argsNode.isObject()) {
      throw ApiException.badField("arguments", "arguments must be a JSON object");
    }
    ObjectNode args = argsNode == null || argsNode.isNull() ? null : (ObjectNode) argsNode;
    if (name.startsWith("guest-sync")) {
      throw new ApiException(403, name + " is the exporter's own: it keeps the channel in step")
          .with("command", name);
    }
    String endpoint = Command.GUARDED.get(name);
    if (endpoint != null) {
      String use = "POST /api/v1/domains/" + d.name() + "/" + endpoint;
      throw new ApiException(
              403,
              name + " is not run through the passthrough: use " + use
                  + (endpoint.equals("fsfreeze")
                      ? ", which records a durable thaw promise and thaws by a deadline"
                      : ", which keeps the exporter's freeze and audit records right"))
          .with("command", name)
          .with("use", use);
    }
    if (!s.api().allowsCommand(name)) {
      throw new ApiException(
              403,
              "command " + name + " is not on api.command_allow_list ("
                  + String.join(", ", s.api().commandAllowList()) + ")")
          .with("command", name);
    }
    boolean readOnly = READ_ONLY.stream().anyMatch(g -> Glob.matches(g, name));
    if (readOnly) {
      Duration timeout = s.commandTimeout();
      try (LiveCalls.Slot slot = live.enter(s.api().maxLiveCalls(), timeout, name)) {
        JsonNode value = d.agent().withTimeout(timeout).execute(name, args);
        ObjectNode o = F.objectNode();
        o.set("return", value);
        return new Reply(200, o);
      } catch (AgentTimeoutException | AgentConnectionException e) {
        throw notResponding(d, name, timeout, e);
      } catch (AgentException e) {
        throw agentError(e);
      }
    }
    // may change the guest: through the executor (audited, one action per domain)
    Duration timeout =
        io.qga.client.AgentCommand.NO_SUCCESS_REPLY.contains(name)
            ? s.commandTimeout()
            : min(Deadlines.defaultFor(name), s.api().maxWait());
    try (LiveCalls.Slot slot = live.enter(s.api().maxLiveCalls(), timeout, name)) {
      return awaitCommand(caller, d, name, args, timeout);
    }
  }

  private Reply awaitCommand(
      Caller caller, DomainHandle d, String name, ObjectNode args, Duration timeout) {
    Job job;
    try {
      job =
          executor.submit(
              ActionRequest.of(d.name(), new Command(name, args, timeout), Origin.api(caller.name()))
                  .withWhenBusy(ActionRequest.WhenBusy.FAIL)
                  .withReason("POST /api/v1/domains/" + d.name() + "/command"));
    } catch (ActionBusyException e) {
      throw ApiException.conflict(e.getMessage()).with("busy_job", Views.jobId(e.busyJob()));
    } catch (ActionRejectedException e) {
      throw new ApiException(503, e.getMessage());
    }
    ActionRecord r;
    try {
      r = job.result().get(timeout.toMillis() + 30_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new ApiException(504, "the command is still running as job " + Views.jobId(job.id()))
          .with("job", Views.jobId(job.id()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "interrupted");
    }
    if (job.auditFailure().isPresent()) {
      // ran or refused, the caller must not read it as plain success
      throw new ApiException(500, "audit failed: " + job.auditFailure().get())
          .with("job", Views.jobId(job.id()))
          .with("outcome", r.outcome().wire());
    }
    if (r.details() instanceof Command.Report rep) {
      if (rep.kind() == null) {
        ObjectNode o = F.objectNode();
        o.set("return", rep.value());
        o.put("job", Views.jobId(job.id()));
        return new Reply(200, o);
      }
      switch (rep.kind()) {
        case "unsupported" -> {
          throw new ApiException(422, "the agent does not support " + name + ": " + Views.cut(rep.description()))
              .with("class", rep.errorClass())
              .with("desc", Views.cut(rep.description()))
              .with("unsupported", true);
        }
        case "error" -> {
          throw new ApiException(502, "the agent refused " + name + ": " + Views.cut(rep.description()))
              .with("class", rep.errorClass())
              .with("desc", Views.cut(rep.description()));
        }
        case "not_responding" -> {
          throw new ApiException(503, "the agent of " + d.name() + " is not responding")
              .with("tried", name + " on " + d.channel() + " within " + Durations.format(timeout) + ": " + Views.cut(r.error()));
        }
        default -> throw new ApiException(502, Views.cut(r.error()));
      }
    }
    throw new ApiException(r.outcome() == Outcome.SKIPPED ? 409 : 502, String.valueOf(r.error()));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  // --- policies ------------------------------------------------------------------------------

  private ObjectNode policyList() {
    ObjectNode o = F.objectNode();
    ArrayNode list = o.putArray("policies");
    if (policies == null) {
      return o;
    }
    for (PolicyStatus st : policies.policies()) {
      Policy p = st.policy();
      ObjectNode n = list.addObject();
      n.put("name", p.name());
      n.put("action", p.action().name());
      n.put("schedule", p.schedule().orElse(null));
      n.put("dry_run", p.dryRun());
      n.put("next_run", st.nextRun() == null ? null : st.nextRun().toString());
      Instant last = null;
      for (DomainHandle d : domains.all()) {
        Instant t = executor.state().lastRun(p.name(), d.name()).orElse(null);
        if (t != null && (last == null || t.isAfter(last))) {
          last = t;
        }
      }
      n.put("last_run", last == null ? null : last.toString());
    }
    return o;
  }

  private ObjectNode runPolicy(String name, boolean dry, Caller caller) {
    if (policies == null) {
      throw ApiException.notFound("unknown policy: " + Views.cut(name) + " (no policy engine)");
    }
    Plan plan;
    try {
      plan = policies.runNow(name, dry);
    } catch (UnknownPolicyException e) {
      throw ApiException.notFound(e.getMessage());
    }
    ObjectNode o = F.objectNode();
    o.put("policy", plan.policy());
    o.put("action", plan.action());
    o.put("dry_run", plan.dryRun());
    ArrayNode decisions = o.putArray("decisions");
    ArrayNode jobs = F.arrayNode();
    for (Plan.Step step : plan.domains()) {
      ObjectNode n = decisions.addObject();
      n.put("domain", step.domain());
      n.put("decision", step.decision().run() ? "run" : "skip");
      n.put("reason", step.decision().reason());
      n.put("job", step.job() == null ? null : Views.jobId(step.job()));
      if (step.job() != null) {
        jobs.add(Views.jobId(step.job()));
      }
    }
    // the runs are audited under the policy's name; this line says which token asked for them
    ObjectNode audit = F.objectNode();
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
      LOG.log(System.Logger.Level.ERROR, "cannot write the audit log: " + e.getMessage(), e);
    }
    return o;
  }
}
