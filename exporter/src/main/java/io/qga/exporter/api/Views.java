package io.qga.exporter.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.collectors.DomainSamples;
import io.qga.collectors.IpAddressText;
import io.qga.exporter.action.ActionRecord;
import io.qga.exporter.action.FreezeGuard;
import io.qga.exporter.action.Fstrim;
import io.qga.exporter.action.Job;
import io.qga.exporter.action.Outcome;
import io.qga.exporter.action.TimeSync;
import io.qga.exporter.runtime.DomainHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The JSON the API returns for domains and jobs (the shapes of {@code docs/api.md}). Everything
 * that comes from a guest is bounded here: at most {@link #MAX_ITEMS} entries per list and {@link
 * #MAX_TEXT} characters per string, whatever the cached reply held.
 */
final class Views {
  static final int MAX_ITEMS = 256;
  static final int MAX_TEXT = 512;
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Views() {}

  /** The API's job id: {@code j-} and the executor's id. */
  static String jobId(String executorId) {
    return "j-" + executorId;
  }

  /** The executor's id of an API job id (with or without the {@code j-}). */
  static String executorId(String jobId) {
    return jobId.startsWith("j-") ? jobId.substring(2) : jobId;
  }

  static String jobLocation(String executorId) {
    return "/api/v1/jobs/" + jobId(executorId);
  }

  static ObjectNode summary(DomainHandle d, FreezeGuard guard) {
    ObjectNode o = F.objectNode();
    DomainHandle.AgentState s = d.state();
    o.put("name", d.name());
    o.put("uuid", d.uuid().orElse(null));
    o.put("channel", d.channel());
    o.put("up", s != null && s.up());
    o.put("agent_version", s == null ? null : cut(s.version()));
    o.put("last_success", s == null ? null : time(s.lastSuccess()));
    o.put("last_error", s == null ? null : cut(s.lastError()));
    var promise = guard.promised(d.name());
    o.put("frozen", (s != null && s.frozen()) || promise.isPresent());
    promise.ifPresent(p -> o.put("frozen_until", p.until().toString()));
    return o;
  }

  static ObjectNode detail(
      DomainHandle d, FreezeGuard guard, Map<String, Instant> lastActions) {
    ObjectNode o = summary(d, guard);
    ArrayNode supported = o.putArray("supported_commands");
    JsonNode info = d.lastReply("guest-info").orElse(null);
    if (info != null) {
      for (JsonNode c : limit(info.path("supported_commands"))) {
        if (c.path("enabled").asBoolean(false) && c.path("name").isTextual()) {
          supported.add(cut(c.get("name").asText()));
        }
      }
    }
    o.put("hostname", text(d.lastReply("guest-get-host-name").orElse(null), "host-name"));
    JsonNode os = d.lastReply("guest-get-osinfo").orElse(null);
    if (os != null && os.isObject()) {
      ObjectNode n = o.putObject("os");
      n.put("id", text(os, "id"));
      n.put("name", text(os, "name"));
      n.put("pretty_name", text(os, "pretty-name"));
      n.put("version_id", text(os, "version-id"));
      n.put("kernel_release", text(os, "kernel-release"));
      n.put("machine", text(os, "machine"));
    } else {
      o.putNull("os");
    }
    JsonNode tz = d.lastReply("guest-get-timezone").orElse(null);
    if (tz != null && tz.isObject()) {
      ObjectNode n = o.putObject("timezone");
      n.put("zone", text(tz, "zone"));
      if (tz.path("offset").canConvertToLong()) {
        n.put("offset", tz.get("offset").asLong());
      } else {
        n.putNull("offset");
      }
    } else {
      o.putNull("timezone");
    }
    Double offset = timeOffset(d.lastSamples().get("time"));
    if (offset != null) {
      o.put("time_offset_seconds", offset);
    } else {
      o.putNull("time_offset_seconds");
    }
    interfaces(o, d.lastReply("guest-network-get-interfaces").orElse(null));
    filesystems(o, d.lastReply("guest-get-fsinfo").orElse(null));
    ArrayNode users = o.putArray("users");
    for (JsonNode u : limit(d.lastReply("guest-get-users").orElse(null))) {
      ObjectNode n = users.addObject();
      n.put("user", text(u, "user"));
      n.put("domain", text(u, "domain"));
      if (u.path("login-time").isNumber()) {
        n.put("login_time", u.get("login-time").asDouble());
      } else {
        n.putNull("login_time");
      }
    }
    ObjectNode last = o.putObject("last_actions");
    if (lastActions != null) {
      lastActions.forEach((action, at) -> last.put(action, at.toString()));
    }
    return o;
  }

  private static void interfaces(ObjectNode o, JsonNode reply) {
    ArrayNode list = o.putArray("interfaces");
    ArrayNode ips = o.putArray("ip_addresses");
    for (JsonNode i : limit(reply)) {
      ObjectNode n = list.addObject();
      String name = text(i, "name");
      n.put("name", name);
      n.put("mac", text(i, "hardware-address"));
      ArrayNode addresses = n.putArray("addresses");
      for (JsonNode a : limit(i.path("ip-addresses"))) {
        String address = text(a, "ip-address");
        if (!IpAddressText.isIpAddress(address)) {
          // the guest chose this text; consumers take it for an address (Ansible's ansible_host).
          // The network collector counts it in qga_collector_dropped_items{kind=invalid_addresses}
          continue;
        }
        ObjectNode an = addresses.addObject();
        an.put("address", address);
        an.put("family", text(a, "ip-address-type"));
        if (a.path("prefix").canConvertToInt()) {
          an.put("prefix", a.get("prefix").asInt());
        } else {
          an.putNull("prefix");
        }
        if (address != null && !loopback(name, address) && ips.size() < MAX_ITEMS) {
          ips.add(address);
        }
      }
    }
  }

  static boolean loopback(String interfaceName, String address) {
    return "lo".equals(interfaceName) || address.startsWith("127.") || address.equals("::1");
  }

  private static void filesystems(ObjectNode o, JsonNode reply) {
    ArrayNode list = o.putArray("filesystems");
    for (JsonNode f : limit(reply)) {
      ObjectNode n = list.addObject();
      n.put("mountpoint", text(f, "mountpoint"));
      n.put("fstype", text(f, "type"));
      String device = null;
      JsonNode disks = f.path("disk");
      if (disks.isArray() && disks.size() > 0) {
        device = text(disks.get(0), "dev");
      }
      n.put("device", device != null ? device : text(f, "name"));
      Long size = bytes(f, "total-bytes");
      Long used = bytes(f, "used-bytes");
      putLong(n, "size_bytes", size);
      putLong(n, "used_bytes", used);
      putLong(n, "avail_bytes", size != null && used != null && size >= used ? size - used : null);
    }
  }

  private static Long bytes(JsonNode o, String field) {
    JsonNode v = o.path(field);
    return v.canConvertToLong() && v.asLong() >= 0 ? v.asLong() : null;
  }

  private static void putLong(ObjectNode o, String field, Long value) {
    if (value == null) {
      o.putNull(field);
    } else {
      o.put(field, value);
    }
  }

  static Double timeOffset(DomainSamples samples) {
    if (samples == null) {
      return null;
    }
    for (DomainSamples.Sample s : samples.samples()) {
      if (s.family().name().equals("qga_guest_time_offset_seconds") && Double.isFinite(s.value())) {
        return s.value();
      }
    }
    return null;
  }

  /** At most {@link #MAX_ITEMS} elements of an array; nothing for anything else. */
  private static Iterable<JsonNode> limit(JsonNode array) {
    if (array == null || !array.isArray()) {
      return java.util.List.of();
    }
    java.util.List<JsonNode> out = new java.util.ArrayList<>();
    for (JsonNode n : array) {
      if (out.size() >= MAX_ITEMS) {
        break;
      }
      out.add(n);
    }
    return out;
  }

  private static String text(JsonNode o, String field) {
    if (o == null) {
      return null;
    }
    JsonNode v = o.get(field);
    return v != null && v.isTextual() ? cut(v.asText()) : null;
  }

  static String cut(String s) {
    if (s == null || s.length() <= MAX_TEXT) {
      return s;
    }
    return s.substring(0, MAX_TEXT - 1) + "\u2026";
  }

  private static String time(Instant t) {
    return t == null ? null : t.toString();
  }

  // --- jobs ------------------------------------------------------------------------------

  /** The job object of {@code GET /api/v1/jobs/{id}}. */
  static ObjectNode job(Job job) {
    ObjectNode o = F.objectNode();
    ActionRecord r = job.record().orElse(null);
    o.put("job", jobId(job.id()));
    o.put("domain", job.request().domain());
    o.put("action", job.request().action().name());
    o.put("origin", job.request().origin().audit());
    o.put("trigger", job.request().origin().trigger());
    o.put("dry_run", job.request().dryRun());
    o.set("arguments", job.request().action().arguments());
    if (job.request().reason() != null) {
      o.put("reason", job.request().reason());
    }
    if (r == null) {
      o.put("state", "running");
      o.put("queued", job.state() == Job.State.QUEUED);
      o.put("outcome", (String) null);
      o.put("started", job.submittedAt().toString());
      o.putNull("finished");
      o.putNull("duration_seconds");
      o.putNull("result");
      o.putNull("error");
      o.putArray("warnings");
      return o;
    }
    // a run the audit log could not record is never plain success; outcome tells what ran
    String auditFailure = job.auditFailure().orElse(null);
    boolean ok =
        auditFailure == null
            && (r.outcome() == Outcome.SUCCEEDED || r.outcome() == Outcome.DRY_RUN);
    o.put("state", ok ? "succeeded" : "failed");
    o.put("queued", false);
    o.put("outcome", r.outcome().wire());
    o.put("started", r.startedAt().toString());
    o.put("finished", r.timestamp().toString());
    o.put("duration_seconds", Duration.between(r.startedAt(), r.timestamp()).toNanos() / 1e9);
    o.set("result", result(r));
    // a failed run's error already says why (also "not run: cannot write the audit log ...")
    o.put(
        "error",
        auditFailure == null || r.outcome() == Outcome.FAILED
            ? r.error()
            : (r.error() == null ? "" : r.error() + "; ") + "audit failed: " + auditFailure);
    if (auditFailure != null) {
      o.put("audit_error", auditFailure);
    }
    ArrayNode w = o.putArray("warnings");
    r.warnings().forEach(w::add);
    return o;
  }

  /** The {@code result} member: the action's details in the API's shape, or null. */
  static JsonNode result(ActionRecord r) {
    if (r.outcome() == Outcome.DRY_RUN) {
      ObjectNode o = F.objectNode();
      o.put("would_run", r.action());
      o.set("arguments", r.arguments());
      ArrayNode notes = o.putArray("notes");
      r.warnings().forEach(notes::add);
      return o;
    }
    if (r.details() == null) {
      return F.nullNode();
    }
    if (r.details() instanceof Fstrim.Report f) {
      ObjectNode o = F.objectNode();
      putLong(o, "trimmed_bytes", f.trimmedBytes());
      ArrayNode paths = o.putArray("paths");
      for (Fstrim.PathResult p : f.paths()) {
        ObjectNode n = paths.addObject();
        n.put("path", p.path());
        putLong(n, "trimmed", p.trimmed());
        putLong(n, "minimum", p.minimum());
        n.put("error", p.error());
      }
      if (f.droppedPaths() > 0) {
        o.put("dropped_paths", f.droppedPaths());
      }
      return o;
    }
    if (r.details() instanceof TimeSync.Report t) {
      ObjectNode o = F.objectNode();
      o.put("source", t.source().wire());
      o.put("offset_before_seconds", t.before().offsetNanos() / 1e9);
      o.put("offset_after_seconds", t.after().offsetNanos() / 1e9);
      o.put("step_seconds", t.stepNanos() / 1e9);
      o.put("exceeded_max_step", t.stepExceedsMaxStep());
      o.put("round_trip_seconds", t.before().roundTripNanos() / 1e9);
      return o;
    }
    return r.details().toJson();
  }
}
