package io.qga.exporter.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.AgentChannel;
import io.qga.client.AgentCommand;
import io.qga.client.AgentConnectionException;
import io.qga.client.AgentException;
import io.qga.client.AgentTimeoutException;
import io.qga.client.AgentUnsupportedException;
import io.qga.client.Deadlines;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link AgentChannel} for a domain whose only agent channel libvirt holds, that sends no raw
 * agent command: each command the exporter uses is answered through one of libvirt's typed calls
 * ({@link LibvirtGuestCalls}), written back in the agent's reply shape ({@link
 * LibvirtTypedReplies}). libvirt marks a domain tainted ({@code custom-ga-command}) for every raw
 * command; these calls do not. A command with no typed call (memory blocks, cpu and disk counters,
 * load, exec, files, passthrough) is refused as unsupported, naming this route and the switch that
 * allows raw commands; the calls a libvirt too old to have are refused naming the version needed.
 *
 * <p>{@code guest-info} and {@code guest-ping} have no typed call: both answer from libvirt's own
 * view of the agent (its port connected or not) and the commands this libvirt can serve.
 */
final class LibvirtTypedChannel implements AgentChannel {
  static final String ROUTE = "libvirt_typed";
  static final String SWITCH = "discovery.libvirt.allow_raw_agent_commands";

  /** {@code virDomainGetGuestInfo} with users, OS, time zone, host name and filesystems. */
  static final long GUEST_INFO = 5_007_000;

  /** {@code VIR_DOMAIN_GUEST_INFO_INTERFACES}. */
  static final long GUEST_INFO_INTERFACES = 7_010_000;

  /** The commands this route answers, with the first libvirt version that has their call. */
  static final Map<String, Long> SINCE = since();

  private static Map<String, Long> since() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("guest-ping", 0L);
    m.put("guest-info", 0L);
    m.put("guest-get-users", GUEST_INFO);
    m.put("guest-get-osinfo", GUEST_INFO);
    m.put("guest-get-timezone", GUEST_INFO);
    m.put("guest-get-host-name", GUEST_INFO);
    m.put("guest-get-fsinfo", GUEST_INFO);
    m.put("guest-network-get-interfaces", 1_002_014L); // virDomainInterfaceAddresses
    m.put("guest-get-vcpus", 2_000_000L); // virDomainGetGuestVcpus
    m.put("guest-get-time", 1_002_005L); // virDomainGetTime
    m.put("guest-set-time", 1_002_005L);
    m.put("guest-fstrim", 1_000_001L); // virDomainFSTrim
    m.put("guest-fsfreeze-freeze", 1_002_005L); // virDomainFSFreeze
    m.put("guest-fsfreeze-freeze-list", 1_002_005L);
    m.put("guest-fsfreeze-thaw", 1_002_005L);
    m.put("guest-shutdown", 0L); // virDomainShutdownFlags / virDomainReboot (GUEST_AGENT)
    return Map.copyOf(m);
  }

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final LibvirtConnection connection;
  private final String domain;
  private final Optional<String> uuid;
  private final ReentrantLock inFlight = new ReentrantLock(true);

  /** The library version read on a backend (a reconnect may meet an upgraded libvirtd). */
  private record Version(LibvirtBackend backend, long version) {}

  private volatile Version version;

  LibvirtTypedChannel(LibvirtConnection connection, String domain, Optional<String> uuid) {
    this.connection = connection;
    this.domain = domain;
    this.uuid = uuid;
  }

  @Override
  public JsonNode execute(AgentCommand command, Duration deadline) {
    Duration total = deadline == null ? Deadlines.defaultFor(command.name()) : deadline;
    try {
      if (!inFlight.tryLock(total.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new AgentTimeoutException(
            describe() + ": " + command.name() + ": still busy after " + total.toMillis() + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentTimeoutException(describe() + ": " + command.name() + ": interrupted");
    }
    try {
      return run(command);
    } finally {
      inFlight.unlock();
    }
  }

  private JsonNode run(AgentCommand command) {
    String name = command.name();
    Long needs = SINCE.get(name);
    if (needs == null) {
      throw noTypedCall(name);
    }
    LibvirtBackend backend = connection.backend();
    try {
      LibvirtGuestCalls g = backend.guest();
      long have = libVersion(backend, g);
      if (have < needs) {
        throw new AgentUnsupportedException(
            name,
            "RouteUnsupported",
            "libvirt "
                + versionText(have)
                + " has no typed call for "
                + name
                + " (needs "
                + versionText(needs)
                + "); not polled on route "
                + ROUTE);
      }
      return call(g, command, have);
    } catch (LibvirtFailure f) {
      if (LibvirtErrors.connectionBroken(f)) {
        connection.broken(backend, f.getMessage());
      }
      throw LibvirtErrors.map(name, describe(), f);
    }
  }

  private JsonNode call(LibvirtGuestCalls g, AgentCommand command, long have)
      throws LibvirtFailure {
    JsonNode args = command.arguments();
    return switch (command.name()) {
      case "guest-ping" -> {
        requireAgent(g, "guest-ping");
        yield JSON.objectNode();
      }
      case "guest-info" -> {
        requireAgent(g, "guest-info");
        yield info(have);
      }
      case "guest-get-users" ->
          LibvirtTypedReplies.users(g.guestInfo(domain, uuid, LibvirtGuestCalls.INFO_USERS));
      case "guest-get-osinfo" ->
          LibvirtTypedReplies.osinfo(g.guestInfo(domain, uuid, LibvirtGuestCalls.INFO_OS));
      case "guest-get-timezone" ->
          LibvirtTypedReplies.timezone(g.guestInfo(domain, uuid, LibvirtGuestCalls.INFO_TIMEZONE));
      case "guest-get-host-name" ->
          LibvirtTypedReplies.hostName(g.guestInfo(domain, uuid, LibvirtGuestCalls.INFO_HOSTNAME));
      case "guest-get-fsinfo" ->
          LibvirtTypedReplies.fsinfo(g.guestInfo(domain, uuid, LibvirtGuestCalls.INFO_FILESYSTEM));
      case "guest-network-get-interfaces" ->
          have >= GUEST_INFO_INTERFACES
              ? LibvirtTypedReplies.interfaces(
                  g.guestInfo(domain, uuid, LibvirtGuestCalls.INFO_INTERFACES))
              : LibvirtTypedReplies.interfaces(g.interfaceAddresses(domain, uuid));
      case "guest-get-vcpus" -> LibvirtTypedReplies.vcpus(g.guestVcpus(domain, uuid));
      case "guest-get-time" -> JSON.numberNode(g.getTime(domain, uuid));
      case "guest-set-time" -> {
        g.setTime(domain, uuid, has(args, "time") ? args.get("time").asLong() : null);
        yield JSON.objectNode();
      }
      case "guest-fstrim" -> {
        g.fstrim(domain, uuid, has(args, "minimum") ? args.get("minimum").asLong() : 0);
        // virDomainFSTrim returns no per-filesystem result
        ObjectNode o = JSON.objectNode();
        o.putArray("paths");
        yield o;
      }
      case "guest-fsfreeze-freeze" -> JSON.numberNode(g.fsfreeze(domain, uuid, List.of()));
      case "guest-fsfreeze-freeze-list" -> {
        List<String> points = new ArrayList<>();
        if (has(args, "mountpoints")) {
          args.get("mountpoints").forEach(m -> points.add(m.asText()));
        }
        yield JSON.numberNode(g.fsfreeze(domain, uuid, points));
      }
      case "guest-fsfreeze-thaw" -> JSON.numberNode(g.fsthaw(domain, uuid));
      case "guest-shutdown" -> {
        String mode = has(args, "mode") ? args.get("mode").asText() : "powerdown";
        switch (mode) {
          case "powerdown" -> g.shutdownThroughAgent(domain, uuid);
          case "reboot" -> g.rebootThroughAgent(domain, uuid);
          default ->
              throw new AgentUnsupportedException(
                  "guest-shutdown",
                  "RouteUnsupported",
                  "mode "
                      + mode
                      + " has no typed libvirt call (libvirt's agent shutdown is a powerdown) on"
                      + " route "
                      + ROUTE
                      + "; set "
                      + SWITCH
                      + ": true to send it as a raw agent command (libvirt then marks the domain"
                      + " tainted)");
        }
        yield JSON.objectNode();
      }
      default -> throw noTypedCall(command.name());
    };
  }

  /** libvirt sees the agent's port closed: no agent runs in the guest (or it stopped). */
  private void requireAgent(LibvirtGuestCalls g, String command) throws LibvirtFailure {
    if (!g.agentConnected(domain, uuid)) {
      throw new AgentConnectionException(
          describe() + ": " + command + ": libvirt sees the guest agent not connected");
    }
  }

  /**
   * A {@code guest-info} reply listing the commands this route serves, those this libvirt is too
   * old for as disabled (asked once, their refusal names the version needed); the version is empty
   * (no typed call tells the agent's version).
   */
  static JsonNode info(long libVersion) {
    ObjectNode o = JSON.objectNode();
    o.put("version", "");
    var list = o.putArray("supported_commands");
    new java.util.TreeMap<>(SINCE)
        .forEach(
            (c, since) ->
                list.addObject()
                    .put("name", c)
                    .put("enabled", since <= libVersion)
                    .put("success-response", !c.equals("guest-shutdown")));
    return o;
  }

  private long libVersion(LibvirtBackend backend, LibvirtGuestCalls g) throws LibvirtFailure {
    Version v = version;
    if (v == null || v.backend() != backend) {
      v = new Version(backend, g.libVersion());
      version = v;
    }
    return v.version();
  }

  static AgentException noTypedCall(String command) {
    return new AgentUnsupportedException(
        command,
        "RouteUnsupported",
        command
            + " has no typed libvirt call: not available on route "
            + ROUTE
            + "; set "
            + SWITCH
            + ": true to send it as a raw agent command (libvirt then marks the domain tainted)");
  }

  static String versionText(long v) {
    return (v / 1_000_000) + "." + (v / 1_000 % 1_000) + "." + (v % 1_000);
  }

  private static boolean has(JsonNode args, String key) {
    return args != null && args.hasNonNull(key);
  }

  @Override
  public String describe() {
    return "libvirt:" + domain;
  }

  /** The connection is shared by every libvirt-routed domain: closing leaves it open. */
  @Override
  public void close() {}
}
