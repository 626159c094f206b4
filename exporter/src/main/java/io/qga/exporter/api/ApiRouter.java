package io.qga.exporter.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.qga.exporter.api.Auth.Caller;
import io.qga.exporter.config.Role;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The handler of {@code /api/}: reads the request, serves the OpenAPI document, lets {@link
 * AuthFilter} find the caller, and hands the request to the handler of its resource; a refusal
 * ({@link ApiException}) becomes its status and error body (docs/api.md). Order of checks: API
 * enabled (403), token (401), endpoint (404/405), role (403), body (413/415/400), domain (404),
 * state (409/503).
 */
final class ApiRouter implements HttpHandler {
  private static final Logger LOG = Logger.getLogger(ApiRouter.class.getName());
  static final String DISABLED =
      "the control API is off: no api.tokens are configured. Add a token to config.yaml (api:"
          + " tokens: [{name: NAME, token_file: PATH or sha256: HEX, role: reader|operator|admin}])"
          + " and reload (SIGHUP) to enable it";

  /** One authenticated request, with the settings it is checked against. */
  record Call(Request request, ControlApi.Settings settings, Caller caller) {
    /** 403 unless the caller may {@code what}. */
    void require(Role role, String what) {
      AuthFilter.require(caller, role, what);
    }
  }

  private final Supplier<ControlApi.Settings> settings;
  private final AuthFilter auth;
  private final byte[] openapi;
  private final DomainsHandler domains;
  private final CommandHandler command;
  private final ExecHandler exec;
  private final FilesHandler files;
  private final JobsHandler jobs;
  private final PoliciesHandler policies;

  ApiRouter(
      Supplier<ControlApi.Settings> settings,
      AuthFilter auth,
      byte[] openapi,
      DomainsHandler domains,
      CommandHandler command,
      ExecHandler exec,
      FilesHandler files,
      JobsHandler jobs,
      PoliciesHandler policies) {
    this.settings = settings;
    this.auth = auth;
    this.openapi = openapi;
    this.domains = domains;
    this.command = command;
    this.exec = exec;
    this.files = files;
    this.jobs = jobs;
    this.policies = policies;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    Reply reply;
    try {
      reply = route(exchange);
    } catch (ApiException e) {
      reply = Reply.of(e);
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "API request " + exchange.getRequestURI() + " failed", e);
      reply = Reply.of(new ApiException(500, "internal error: " + e.getClass().getSimpleName()));
    }
    reply.send(exchange);
  }

  private Reply route(HttpExchange exchange) throws IOException {
    ControlApi.Settings s = settings.get();
    if (!s.auth().enabled()) {
      throw new ApiException(403, DISABLED);
    }
    Request req = new Request(exchange);
    List<String> p = req.segments();
    if (p.size() == 3 && p.get(1).equals("v1") && p.get(2).equals("openapi.json")) {
      req.method("GET");
      return new Reply(200, null, openapi, java.util.Map.of());
    }
    Call call = new Call(req, s, auth.authenticate(req));
    if (p.size() < 3 || !p.get(0).equals("api") || !p.get(1).equals("v1")) {
      throw req.notFound();
    }
    List<String> rest = p.subList(3, p.size());
    return switch (p.get(2)) {
      case "domains" -> {
        String verb = rest.size() == 2 ? rest.get(1) : "";
        yield switch (verb) {
          case "command" -> command.handle(call, rest.get(0));
          case "exec" -> exec.handle(call, rest.get(0));
          case "files" -> files.handle(call, rest.get(0));
          default -> domains.handle(call, rest);
        };
      }
      case "jobs" -> jobs.handle(call, rest);
      case "policies" -> policies.handle(call, rest);
      default -> throw req.notFound();
    };
  }
}
