package io.qga.exporter.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.AgentConnectionException;
import io.qga.client.AgentException;
import io.qga.client.AgentTimeoutException;
import io.qga.exporter.action.Action;
import io.qga.exporter.action.ActionBusyException;
import io.qga.exporter.action.ActionExecutor;
import io.qga.exporter.action.ActionRejectedException;
import io.qga.exporter.action.ActionRequest;
import io.qga.exporter.action.DomainFrozenException;
import io.qga.exporter.action.Freeze;
import io.qga.exporter.action.FreezeGuard;
import io.qga.exporter.action.Fstrim;
import io.qga.exporter.action.Job;
import io.qga.exporter.action.Origin;
import io.qga.exporter.action.Shutdown;
import io.qga.exporter.action.Thaw;
import io.qga.exporter.action.TimeSync;
import io.qga.exporter.action.UnknownDomainException;
import io.qga.exporter.config.ApiConfig;
import io.qga.exporter.config.Durations;
import io.qga.exporter.config.Role;
import io.qga.exporter.runtime.DomainDirectory;
import io.qga.exporter.runtime.DomainHandle;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * {@code /api/v1/domains}: the list, one domain, a live ping, and the actions (fstrim, time-sync,
 * fsfreeze, fsthaw, shutdown), each queued on the executor and answered as a job. Domain views are
 * {@link Views}'.
 */
final class DomainsHandler {
  private final DomainDirectory domains;
  private final ActionExecutor executor;
  private final FreezeGuard guard;
  private final JobsHandler jobs;
  private final LiveCalls live;
  private final Clock clock;

  DomainsHandler(
      DomainDirectory domains,
      ActionExecutor executor,
      FreezeGuard guard,
      JobsHandler jobs,
      LiveCalls live,
      Clock clock) {
    this.domains = domains;
    this.executor = executor;
    this.guard = guard;
    this.jobs = jobs;
    this.live = live;
    this.clock = clock;
  }

  /** {@code rest}: the path after {@code /api/v1/domains} (the router sends {@code command} on). */
  Reply handle(ApiRouter.Call call, List<String> rest) throws IOException {
    Request req = call.request();
    if (rest.isEmpty()) {
      req.method("GET");
      call.require(Role.READER, "list domains");
      ArrayNode list = JsonNodeFactory.instance.arrayNode();
      domains.all().forEach(d -> list.add(Views.summary(d, guard)));
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.set("domains", list);
      return new Reply(200, o);
    }
    if (rest.size() == 1) {
      req.method("GET");
      call.require(Role.READER, "read a domain");
      DomainHandle domain = domain(rest.get(0));
      return new Reply(
          200, Views.detail(domain, guard, executor.state().lastSuccesses().get(domain.name())));
    }
    if (rest.size() == 2) {
      return action(call, rest.get(0), rest.get(1));
    }
    throw req.notFound();
  }

  DomainHandle domain(String name) {
    return domains
        .find(name)
        .orElseThrow(() -> ApiException.notFound("unknown domain: " + Views.cut(name)));
  }

  private Reply action(ApiRouter.Call call, String name, String verb) throws IOException {
    Request req = call.request();
    ControlApi.Settings s = call.settings();
    ApiConfig api = s.api();
    switch (verb) {
      case "ping" -> {
        req.method("POST");
        call.require(Role.READER, "ping");
        req.body(api.maxBody(), Bodies.None.class);
        return ping(domain(name), s);
      }
      case "fstrim" -> {
        req.method("POST");
        call.require(Role.OPERATOR, "run fstrim");
        Bodies.Fstrim b = req.body(api.maxBody(), Bodies.Fstrim.class);
        return submit(call, domain(name), new Fstrim(b.minimum()));
      }
      case "time-sync" -> {
        req.method("POST");
        call.require(Role.OPERATOR, "sync the guest clock");
        Bodies.TimeSyncBody b = req.body(api.maxBody(), Bodies.TimeSyncBody.class);
        return submit(call, domain(name), new TimeSync(b.source(), null));
      }
      case "fsfreeze" -> {
        req.method("POST");
        call.require(Role.OPERATOR, "freeze filesystems");
        Bodies.Freeze b = req.body(api.maxBody(), Bodies.Freeze.class);
        Duration deadline = b.deadline() == null ? api.fsfreezeDefaultDeadline() : b.deadline();
        if (deadline.compareTo(Duration.ofSeconds(1)) < 0) {
          throw ApiException.badField("deadline", "deadline must be at least 1s");
        }
        if (deadline.compareTo(api.fsfreezeMaxDeadline()) > 0) {
          throw ApiException.badField(
              "deadline",
              "deadline "
                  + Durations.format(deadline)
                  + " is longer than api.fsfreeze_max_deadline ("
                  + Durations.format(api.fsfreezeMaxDeadline())
                  + ")");
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
        return submit(call, d, new Freeze(deadline, until, call.caller().name(), guard));
      }
      case "fsthaw" -> {
        req.method("POST");
        call.require(Role.OPERATOR, "thaw filesystems");
        req.body(api.maxBody(), Bodies.None.class);
        return submit(call, domain(name), new Thaw(false, guard));
      }
      case "shutdown" -> {
        req.method("POST");
        call.require(Role.ADMIN, "shut a guest down");
        Bodies.Shutdown b = req.body(api.maxBody(), Bodies.Shutdown.class);
        DomainHandle d = domain(name);
        if (b.mode() == io.qga.client.api.ShutdownMode.HALT && d.route().equals("libvirt_typed")) {
          // refused before a job: libvirt's agent shutdown is a powerdown, and halt needs raw
          throw new ApiException(
                  501,
                  "shutdown mode halt is not available on route libvirt_typed (libvirt's agent"
                      + " shutdown is a powerdown); set"
                      + " discovery.libvirt.allow_raw_agent_commands: true to send it as a raw"
                      + " agent command (libvirt then marks the domain tainted), or use powerdown")
              .with("route", d.route())
              .with("field", "mode");
        }
        return submit(call, d, new Shutdown(b.mode(), s.commandTimeout()));
      }
      default -> throw req.notFound();
    }
  }

  /**
   * Queues an action: 202 with the job (or 200 with the finished job after {@code ?wait=}). Refuses
   * with 409 when the domain is busy (unless {@code ?queue=true}) or frozen, with 503 when the
   * poller finds the agent down.
   */
  private Reply submit(ApiRouter.Call call, DomainHandle d, Action action) {
    Request req = call.request();
    boolean dry = req.flag("dry_run");
    boolean queue = req.flag("queue");
    Duration wait = req.waitFor(call.settings().api().maxWait());
    if (!dry) {
      if (action.blockedByFreeze()) {
        Refusals.notFrozenByUs(guard, d, action);
      }
      Refusals.agentAnswering(d, "nothing was queued");
    }
    ActionRequest request =
        ActionRequest.of(d.name(), action, Origin.api(call.caller().name()))
            .withDryRun(dry)
            .withWhenBusy(queue ? ActionRequest.WhenBusy.WAIT : ActionRequest.WhenBusy.FAIL)
            .withReason("POST /api/v1/domains/" + d.name() + "/" + verbOf(action));
    Job job;
    try {
      job = executor.submit(request);
    } catch (UnknownDomainException e) {
      throw ApiException.notFound(e.getMessage());
    } catch (ActionBusyException e) {
      throw ApiException.conflict(
              e.getMessage() + "; retry later, or add ?queue=true to wait in line")
          .with("busy_job", Views.jobId(e.busyJob()));
    } catch (DomainFrozenException e) {
      throw ApiException.conflict(e.getMessage()).with("frozen", true);
    } catch (ActionRejectedException e) {
      throw new ApiException(503, e.getMessage());
    }
    return jobs.reply(job, wait, true, call.settings());
  }

  private static String verbOf(Action action) {
    return switch (action.name()) {
      case "time_sync" -> "time-sync";
      default -> action.name();
    };
  }

  private Reply ping(DomainHandle d, ControlApi.Settings s) {
    Duration timeout = s.commandTimeout();
    long t0 = System.nanoTime();
    try (LiveCalls.Slot slot = live.enter(s.api().maxLiveCalls(), timeout, "guest-ping")) {
      d.agent().withTimeout(timeout).ping();
    } catch (AgentTimeoutException | AgentConnectionException e) {
      throw AgentReplies.notResponding(d, "guest-ping", timeout, e, executor);
    } catch (AgentException e) {
      throw AgentReplies.agentError(e);
    }
    return new Reply(200, new Responses.Pong(d.name(), true, (System.nanoTime() - t0) / 1e9));
  }
}
