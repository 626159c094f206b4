package io.qga.sim;

import static io.qga.sim.AgentError.checkedLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Clock;
import java.util.Iterator;
import java.util.Set;

/**
 * One request to a simulated guest, from the line to the reply line: the checks of the real agent's
 * dispatcher (JSON shape, unknown, blocked and frozen commands, unexpected arguments) with its
 * error texts, the hostile modes that replace a reply, and the command switch that asks the guest's
 * state and reply builders for the value.
 */
final class GuestDispatch {
  private final SimulatedGuest guest;
  private final Flavour flavour;
  private final Clock clock;
  private final GuestProfile profile;
  private final GuestState state;
  private final NetworkReplies network;
  private final StorageReplies storage;
  private final SystemReplies system;

  GuestDispatch(SimulatedGuest guest, Clock clock, GuestProfile profile, GuestState state) {
    this.guest = guest;
    this.flavour = guest.flavour();
    this.clock = clock;
    this.profile = profile;
    this.state = state;
    this.network = new NetworkReplies(flavour, profile);
    this.storage = new StorageReplies(flavour, profile);
    this.system = new SystemReplies(guest.domain(), flavour, profile);
  }

  /** The reply line, or null when the reply was streamed already or there is none. */
  byte[] dispatch(
      JsonNode request, String name, HostileMode mode, AgentServer.Connection connection)
      throws AgentError, IOException {
    if (request == null) {
      throw AgentError.generic("JSON parse error, invalid JSON syntax");
    }
    if (!request.isObject()) {
      throw AgentError.generic("QMP input must be a JSON object");
    }
    JsonNode id = null;
    for (Iterator<String> it = request.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (field.equals("id") && flavour.since(4, 0)) {
        id = request.get("id");
      } else if (!field.equals("execute") && !field.equals("arguments")) {
        throw AgentError.generic("QMP input member '" + field + "' is unexpected");
      }
    }
    if (!request.has("execute")) {
      throw AgentError.generic("QMP input lacks member 'execute'");
    }
    if (!request.get("execute").isTextual()) {
      throw AgentError.generic("QMP input member 'execute' must be a string");
    }
    if (!GuestCommands.hasCommand(flavour, name)) {
      throw new AgentError("CommandNotFound", "The command " + name + " has not been found");
    }
    if (GuestCommands.blocked(name, guest.execAndFiles())) {
      throw GuestCommands.disabled(flavour, name, null);
    }
    if (state.frozen() && !GuestCommands.FROZEN_ALLOWED.contains(name)) {
      throw GuestCommands.disabled(flavour, name, "the agent is in frozen state");
    }
    JsonNode arguments = request.path("arguments");
    if (request.has("arguments") && !arguments.isObject()) {
      throw AgentError.generic("QMP input member 'arguments' must be an object");
    }
    Set<String> allowed = GuestCommands.ARGUMENTS.getOrDefault(name, Set.of());
    for (Iterator<String> it = arguments.fieldNames(); it.hasNext(); ) {
      String argument = it.next();
      if (!allowed.contains(argument)) {
        throw AgentError.generic("Parameter '" + argument + "' is unexpected");
      }
    }
    if (mode != null && !GuestCommands.HANDSHAKE.contains(name) && attack(mode, name, connection)) {
      return null;
    }
    if (mode == HostileMode.BAD_NUMBERS) {
      byte[] bad = HostileReplies.badNumbers(name);
      if (bad != null) {
        return bad;
      }
    }
    JsonNode value = execute(name, arguments, connection);
    if (value == null) {
      return null;
    }
    byte[] line;
    if (id != null) {
      ObjectNode reply = QemuJson.object();
      reply.set("return", value);
      reply.set("id", id);
      line = QemuJson.line(reply);
    } else {
      line = QemuJson.returnLine(value);
    }
    if (name.equals("guest-sync-delimited")) {
      byte[] all = new byte[line.length + 1];
      all[0] = (byte) 0xFF;
      System.arraycopy(line, 0, all, 1, line.length);
      return all;
    }
    return line;
  }

  /** Streams the attack's reply; false when this mode leaves {@code name} alone. */
  private boolean attack(HostileMode mode, String name, AgentServer.Connection connection)
      throws IOException {
    ConnectionOutput out = new ConnectionOutput(connection);
    switch (mode) {
      case REPLY_9MIB -> HostileReplies.sized(out, 9L * HostileReplies.MIB);
      case REPLY_50MIB -> HostileReplies.sized(out, 50L * HostileReplies.MIB);
      case DEEP_NESTING -> HostileReplies.deep(out, 100_000);
      case INTERFACES_100K -> {
        if (!name.equals("guest-network-get-interfaces")) {
          return false;
        }
        HostileReplies.interfaces(out, 100_000);
      }
      case FILESYSTEMS_10K -> {
        if (!name.equals("guest-get-fsinfo")) {
          return false;
        }
        HostileReplies.filesystems(out, 10_000);
      }
      case LABEL_1MB -> {
        return HostileReplies.labelled(out, name, HostileReplies.HUGE);
      }
      case LABEL_NASTY -> {
        return HostileReplies.labelled(out, name, HostileReplies.NASTY);
      }
      case INVALID_UTF8 -> {
        return HostileReplies.labelled(out, name, HostileReplies.INVALID_UTF8);
      }
      case LABEL_TEMPLATE -> {
        return HostileReplies.labelled(out, name, TemplateLabels.LABEL);
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /** The return value of a well-behaved agent; null for no reply (shutdown). */
  private JsonNode execute(String name, JsonNode arguments, AgentServer.Connection connection)
      throws AgentError {
    long now = clock.millis();
    return switch (name) {
      case "guest-sync", "guest-sync-delimited" -> {
        JsonNode id = arguments.get("id");
        if (id == null) {
          throw AgentError.generic("Parameter 'id' is missing");
        }
        checkedLong(id, "id");
        if (guest.hostile() == HostileMode.WRONG_SYNC_ID) {
          yield QemuJson.object().numberNode(id.bigIntegerValue().add(BigInteger.ONE));
        }
        yield id;
      }
      case "guest-ping" -> QemuJson.object();
      case "guest-info" -> GuestCommands.info(flavour, state.frozen(), guest.execAndFiles());
      case "guest-get-time" -> QemuJson.object().numberNode(state.guestNanosNow());
      case "guest-set-time" -> state.setTime(arguments);
      case "guest-network-get-interfaces" -> network.interfaces(state.uptimeSeconds(now));
      case "guest-get-fsinfo" -> storage.fsinfo(state.uptimeSeconds(now));
      case "guest-get-users" -> system.users(state.bootSeconds(), state.uptimeSeconds(now));
      case "guest-get-memory-blocks" -> system.memoryBlocks();
      case "guest-get-memory-block-info" -> QemuJson.object().put("size", 128L << 20);
      case "guest-get-vcpus" -> system.vcpus();
      case "guest-get-osinfo" -> system.osinfo();
      case "guest-get-host-name" -> QemuJson.object().put("host-name", system.hostName());
      case "guest-get-timezone" -> profile.timezone(flavour);
      case "guest-get-disks" -> storage.disks();
      case "guest-get-diskstats" -> storage.diskstats(state.uptimeSeconds(now));
      case "guest-get-cpustats" -> system.cpustats(state.uptimeSeconds(now));
      case "guest-get-load" -> system.load(state.uptimeSeconds(now));
      case "guest-fsfreeze-status" ->
          QemuJson.object().textNode(state.frozen() ? "frozen" : "thawed");
      case "guest-fsfreeze-freeze" -> state.freeze(null);
      case "guest-fsfreeze-freeze-list" -> state.freeze(arguments.get("mountpoints"));
      case "guest-fsfreeze-thaw" -> state.thaw();
      case "guest-fstrim" -> state.fstrim(arguments, now);
      case "guest-shutdown" -> shutdown(arguments, connection);
      case "guest-exec" -> guest.exec().exec(arguments, now);
      case "guest-exec-status" -> guest.exec().status(arguments, now);
      case "guest-file-open" -> guest.exec().open(arguments);
      case "guest-file-read" -> guest.exec().read(arguments, guest.fileReadFault());
      case "guest-file-write" -> guest.exec().write(arguments);
      case "guest-file-close" -> guest.exec().close(arguments);
      case "guest-ssh-get-authorized-keys" -> QemuJson.object().set("keys", QemuJson.array());
      default -> throw AgentError.generic("this feature or command is not currently supported");
    };
  }

  private JsonNode shutdown(JsonNode arguments, AgentServer.Connection connection)
      throws AgentError {
    JsonNode modeNode = arguments.get("mode");
    String mode = modeNode == null ? "powerdown" : modeNode.asText();
    if (!Set.of("powerdown", "halt", "reboot").contains(mode)) {
      throw AgentError.generic("Parameter 'mode' expects 'halt', 'powerdown' or 'reboot'");
    }
    if (!state.shutdown(mode)) {
      return null; // rebooting
    }
    // Powered off: QEMU exits, the socket and then the connection go away.
    guest.poweredOff();
    connection.close();
    return null;
  }
}
