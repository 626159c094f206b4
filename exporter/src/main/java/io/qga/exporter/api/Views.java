package io.qga.exporter.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.api.Filesystem;
import io.qga.client.api.NetworkInterface;
import io.qga.client.api.OsInfo;
import io.qga.client.api.User;
import io.qga.collectors.GuestRecord;
import io.qga.collectors.IpAddressText;
import io.qga.exporter.action.ActionRecord;
import io.qga.exporter.action.FreezeGuard;
import io.qga.exporter.action.Fstrim;
import io.qga.exporter.action.Job;
import io.qga.exporter.action.Outcome;
import io.qga.exporter.action.TimeSync;
import io.qga.exporter.runtime.DomainHandle;
import io.qga.exporter.runtime.GuestData;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON the API returns for domains and jobs (the shapes of {@code docs/api.md}). A domain is
 * shown as records bound by Jackson, built from the poller's typed {@link GuestData} (never from
 * the guest, never from reply text). Everything that comes from a guest is bounded here too: at
 * most {@link #MAX_ITEMS} entries per list and {@link #MAX_TEXT} characters per string, and an
 * {@code ip-address} that is not an IP address is left out.
 */
final class Views {
  static final int MAX_ITEMS = 256;
  static final int MAX_TEXT = GuestRecord.MAX_TEXT;
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

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
    return JSON.valueToTree(Summary.of(d, guard));
  }

  static ObjectNode detail(DomainHandle d, FreezeGuard guard, Map<String, Instant> lastActions) {
    return JSON.valueToTree(
        Detail.of(Summary.of(d, guard), d.collectors(), d.guest(), lastActions));
  }

  /** One entry of {@code GET /api/v1/domains}. */
  record Summary(
      @JsonProperty("name") String name,
      @JsonProperty("uuid") String uuid,
      @JsonProperty("channel") String channel,
      @JsonProperty("route") String route,
      @JsonProperty("source") String source,
      @JsonProperty("up") boolean up,
      @JsonProperty("paused") boolean paused,
      @JsonProperty("agent_version") String agentVersion,
      @JsonProperty("last_success") String lastSuccess,
      @JsonProperty("last_error") String lastError,
      @JsonProperty("frozen") boolean frozen,
      @JsonProperty("frozen_until") @JsonInclude(JsonInclude.Include.NON_NULL) String frozenUntil) {

    static Summary of(DomainHandle d, FreezeGuard guard) {
      DomainHandle.AgentState s = d.state();
      var promise = guard.promised(d.name());
      return new Summary(
          d.name(),
          d.uuid().orElse(null),
          d.channel(),
          d.route(),
          d.source(),
          s != null && s.up(),
          d.paused(),
          s == null ? null : cut(s.version()),
          s == null ? null : time(s.lastSuccess()),
          s == null ? null : cut(s.lastError()),
          (s != null && s.frozen()) || promise.isPresent(),
          promise.map(p -> p.until().toString()).orElse(null));
    }
  }

  /** {@code GET /api/v1/domains/{domain}}: the summary's members, then the cached guest data. */
  record Detail(
      @JsonUnwrapped Summary summary,
      @JsonProperty("collectors") Map<String, String> collectors,
      @JsonProperty("supported_commands") List<String> supportedCommands,
      @JsonProperty("hostname") String hostname,
      @JsonProperty("os") Os os,
      @JsonProperty("timezone") Zone timezone,
      @JsonProperty("time_offset_seconds") Double timeOffsetSeconds,
      @JsonProperty("interfaces") List<Interface> interfaces,
      @JsonProperty("ip_addresses") List<String> ipAddresses,
      @JsonProperty("filesystems") List<FilesystemView> filesystems,
      @JsonProperty("users") List<UserView> users,
      @JsonProperty("last_actions") Map<String, String> lastActions) {

    static Detail of(
        Summary s, Map<String, String> collectors, GuestData g, Map<String, Instant> lastActions) {
      List<String> commands = new ArrayList<>();
      for (String c : limit(g.commands())) {
        commands.add(cut(c));
      }
      GuestRecord.Os os = g.os();
      List<Interface> interfaces = new ArrayList<>();
      List<String> ips = new ArrayList<>();
      for (NetworkInterface i : limit(g.interfaceList())) {
        interfaces.add(Interface.of(i, ips));
      }
      List<FilesystemView> filesystems = new ArrayList<>();
      for (Filesystem f : limit(g.filesystemList())) {
        filesystems.add(FilesystemView.of(f));
      }
      List<UserView> users = new ArrayList<>();
      for (User u : limit(g.userList())) {
        users.add(new UserView(cut(u.user()), cut(u.domain()), u.loginTime()));
      }
      Map<String, String> last = new LinkedHashMap<>();
      if (lastActions != null) {
        lastActions.forEach((action, at) -> last.put(action, at.toString()));
      }
      return new Detail(
          s,
          collectors,
          commands,
          os == null ? null : cut(os.hostName()),
          os == null || os.os() == null ? null : Os.of(os.os()),
          os == null || os.timezone() == null
              ? null
              : new Zone(cut(os.timezone().zone()), os.timezone().offset()),
          g.timeOffsetSeconds(),
          interfaces,
          ips,
          filesystems,
          users,
          last);
    }
  }

  record Os(
      @JsonProperty("id") String id,
      @JsonProperty("name") String name,
      @JsonProperty("pretty_name") String prettyName,
      @JsonProperty("version_id") String versionId,
      @JsonProperty("kernel_release") String kernelRelease,
      @JsonProperty("machine") String machine) {

    static Os of(OsInfo os) {
      return new Os(
          cut(os.id()),
          cut(os.name()),
          cut(os.prettyName()),
          cut(os.versionId()),
          cut(os.kernelRelease()),
          cut(os.machine()));
    }
  }

  record Zone(@JsonProperty("zone") String zone, @JsonProperty("offset") Long offset) {}

  record Interface(
      @JsonProperty("name") String name,
      @JsonProperty("mac") String mac,
      @JsonProperty("addresses") List<Address> addresses) {

    /** The interface's view; adds its addresses that are not loopback to {@code ips}. */
    static Interface of(NetworkInterface i, List<String> ips) {
      String name = cut(i.name());
      List<Address> addresses = new ArrayList<>();
      for (NetworkInterface.IpAddress a : limit(i.ipAddresses())) {
        String address = cut(a.address());
        if (!IpAddressText.isIpAddress(address)) {
          // the guest chose this text; consumers take it for an address (Ansible's ansible_host).
          // The network collector counts it in qga_collector_dropped_items{kind=invalid_addresses}
          continue;
        }
        addresses.add(new Address(address, cut(a.type()), a.prefix()));
        if (!loopback(name, address) && ips.size() < MAX_ITEMS) {
          ips.add(address);
        }
      }
      return new Interface(name, cut(i.hardwareAddress()), addresses);
    }
  }

  record Address(
      @JsonProperty("address") String address,
      @JsonProperty("family") String family,
      @JsonProperty("prefix") Integer prefix) {}

  static boolean loopback(String interfaceName, String address) {
    return "lo".equals(interfaceName) || address.startsWith("127.") || address.equals("::1");
  }

  record FilesystemView(
      @JsonProperty("mountpoint") String mountpoint,
      @JsonProperty("fstype") String fstype,
      @JsonProperty("device") String device,
      @JsonProperty("size_bytes") Long sizeBytes,
      @JsonProperty("used_bytes") Long usedBytes,
      @JsonProperty("avail_bytes") Long availBytes) {

    static FilesystemView of(Filesystem f) {
      Filesystem.Disk disk = f.disks().isEmpty() ? null : f.disks().get(0);
      String device = disk == null ? null : cut(disk.dev());
      Long size = bytes(f.totalBytes());
      Long used = bytes(f.usedBytes());
      return new FilesystemView(
          cut(f.mountpoint()),
          cut(f.type()),
          device != null ? device : cut(f.name()),
          size,
          used,
          size != null && used != null && size >= used ? size - used : null);
    }

    private static Long bytes(Long value) {
      return value != null && value >= 0 ? value : null;
    }
  }

  record UserView(
      @JsonProperty("user") String user,
      @JsonProperty("domain") String domain,
      @JsonProperty("login_time") Double loginTime) {}

  private static void putLong(ObjectNode o, String field, Long value) {
    if (value == null) {
      o.putNull(field);
    } else {
      o.put(field, value);
    }
  }

  /** At most {@link #MAX_ITEMS} elements of a list. */
  private static <T> List<T> limit(List<T> list) {
    return list.size() <= MAX_ITEMS ? list : list.subList(0, MAX_ITEMS);
  }

  static String cut(String s) {
    return GuestRecord.cut(s);
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
