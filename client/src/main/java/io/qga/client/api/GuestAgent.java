package io.qga.client.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.AgentChannel;
import io.qga.client.AgentCommand;
import io.qga.client.AgentProtocolException;
import io.qga.client.protocol.AgentSession;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The typed guest agent API: one method per command, records for replies. Thread-safe as its
 * channel is. Every method throws the {@link io.qga.client.AgentException} branches of {@link
 * AgentChannel#execute}; a reply of the wrong shape is an {@link AgentProtocolException}.
 *
 * <p>{@link #withTimeout(Duration)} gives a view whose calls use that deadline instead of the
 * per-command defaults of {@link io.qga.client.Deadlines}.
 */
public final class GuestAgent {
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
          .build();

  private final AgentChannel channel;
  private final Duration timeout;
  private final AtomicReference<Seen> capabilities;

  /** Capabilities and the connection they were read on (-1 when the channel cannot tell). */
  private record Seen(Capabilities capabilities, long connection) {}

  public GuestAgent(AgentChannel channel) {
    this(channel, null, new AtomicReference<>());
  }

  private GuestAgent(AgentChannel channel, Duration timeout, AtomicReference<Seen> capabilities) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.timeout = timeout;
    this.capabilities = capabilities;
  }

  /** Which connection of a session we are on: a reconnect may meet a restarted agent. */
  private long connection() {
    return channel instanceof AgentSession session ? session.stats().connects() : -1;
  }

  /** A view of this agent whose calls wait {@code timeout} instead of the defaults. */
  public GuestAgent withTimeout(Duration timeout) {
    return new GuestAgent(channel, timeout, capabilities);
  }

  public AgentChannel channel() {
    return channel;
  }

  /** Any command, untyped: the {@code return} value as JSON. */
  public JsonNode execute(String command, ObjectNode arguments) {
    return channel.execute(AgentCommand.of(command, arguments), timeout);
  }

  private <T> T call(String command, ObjectNode arguments, Class<T> type) {
    return convert(command, execute(command, arguments), type);
  }

  private <T> List<T> callList(String command, ObjectNode arguments, Class<T> element) {
    JsonNode value = execute(command, arguments);
    if (!value.isArray()) {
      throw new AgentProtocolException(command + ": expected an array, got " + value.getNodeType());
    }
    return convert(
        command, value, MAPPER.getTypeFactory().constructCollectionType(List.class, element));
  }

  static <T> T convert(String command, JsonNode value, Class<T> type) {
    try {
      return MAPPER.treeToValue(value, type);
    } catch (Exception e) {
      throw new AgentProtocolException(
          command + ": reply of unexpected shape: " + e.getMessage(), e);
    }
  }

  static <T> T convert(
      String command, JsonNode value, com.fasterxml.jackson.databind.JavaType type) {
    try {
      // treeToValue reads the tree in place; convertValue would serialize it to a token buffer
      // first, which was the biggest cost of a poll after parsing (bench/RESULTS.md).
      return MAPPER.treeToValue(value, type);
    } catch (Exception e) {
      throw new AgentProtocolException(
          command + ": reply of unexpected shape: " + e.getMessage(), e);
    }
  }

  static <T> T convert(String command, JsonNode value, TypeReference<T> type) {
    return convert(command, value, MAPPER.getTypeFactory().constructType(type));
  }

  private long callLong(String command, ObjectNode arguments) {
    JsonNode value = execute(command, arguments);
    if (!value.canConvertToExactIntegral() || !value.canConvertToLong()) {
      throw new AgentProtocolException(command + ": expected an integer, got " + value);
    }
    return value.asLong();
  }

  // --- information -------------------------------------------------------------------------

  public void ping() {
    execute("guest-ping", null);
  }

  /** {@code guest-info}; also refreshes the cached {@link #capabilities()}. */
  public GuestInfo info() {
    GuestInfo info = call("guest-info", null, GuestInfo.class);
    capabilities.set(new Seen(Capabilities.from(info), connection()));
    return info;
  }

  /**
   * The agent's capabilities, from {@code guest-info}, kept per agent. Fetched on first use, after
   * the session reconnected (the agent may have been restarted or upgraded), and whenever {@link
   * #info()} runs: a poller that calls {@code info()} each cycle sees a new version, or commands
   * disabled while frozen, at once.
   */
  public Capabilities capabilities() {
    Seen seen = capabilities.get();
    if (seen == null || (seen.connection() >= 0 && seen.connection() != connection())) {
      info();
      seen = capabilities.get();
    }
    return seen.capabilities();
  }

  /**
   * Refreshes the capabilities when {@code version} (e.g. from a poller's {@code guest-info})
   * differs from the cached one; returns the current ones.
   */
  public Capabilities capabilitiesFor(String version) {
    Seen seen = capabilities.get();
    if (seen == null || !seen.capabilities().version().equals(version)) {
      info();
      seen = capabilities.get();
    }
    return seen.capabilities();
  }

  /** The last capabilities seen, without asking the agent; null before the first guest-info. */
  public Capabilities cachedCapabilities() {
    Seen seen = capabilities.get();
    return seen == null ? null : seen.capabilities();
  }

  /** Guest clock, nanoseconds since the epoch (UTC). */
  public long getTime() {
    return callLong("guest-get-time", null);
  }

  public List<NetworkInterface> networkGetInterfaces() {
    return callList("guest-network-get-interfaces", null, NetworkInterface.class);
  }

  public List<Filesystem> getFsinfo() {
    return callList("guest-get-fsinfo", null, Filesystem.class);
  }

  public List<User> getUsers() {
    return callList("guest-get-users", null, User.class);
  }

  public List<MemoryBlock> getMemoryBlocks() {
    return callList("guest-get-memory-blocks", null, MemoryBlock.class);
  }

  public MemoryBlockInfo getMemoryBlockInfo() {
    return call("guest-get-memory-block-info", null, MemoryBlockInfo.class);
  }

  public List<Vcpu> getVcpus() {
    return callList("guest-get-vcpus", null, Vcpu.class);
  }

  public OsInfo getOsinfo() {
    return call("guest-get-osinfo", null, OsInfo.class);
  }

  public HostName getHostName() {
    return call("guest-get-host-name", null, HostName.class);
  }

  public Timezone getTimezone() {
    return call("guest-get-timezone", null, Timezone.class);
  }

  public List<DiskInfo> getDisks() {
    return callList("guest-get-disks", null, DiskInfo.class);
  }

  public List<DiskStats> getDiskstats() {
    return callList("guest-get-diskstats", null, DiskStats.class);
  }

  public List<CpuStats> getCpustats() {
    return callList("guest-get-cpustats", null, CpuStats.class);
  }

  public Load getLoad() {
    return call("guest-get-load", null, Load.class);
  }

  public FreezeStatus fsfreezeStatus() {
    JsonNode value = execute("guest-fsfreeze-status", null);
    if (!value.isTextual()) {
      throw new AgentProtocolException("guest-fsfreeze-status: expected a string, got " + value);
    }
    try {
      return FreezeStatus.parse(value.asText());
    } catch (IllegalArgumentException e) {
      throw new AgentProtocolException("guest-fsfreeze-status: " + e.getMessage(), e);
    }
  }

  // --- actions -----------------------------------------------------------------------------

  /** Sets the guest clock to {@code nanos} (then the RTC); empty: the guest reads its RTC. */
  public void setTime(OptionalLong nanos) {
    ObjectNode args = AgentCommand.args();
    nanos.ifPresent(n -> args.put("time", n));
    execute("guest-set-time", args);
  }

  public FstrimResult fstrim(OptionalLong minimum) {
    ObjectNode args = AgentCommand.args();
    minimum.ifPresent(m -> args.put("minimum", m));
    return call("guest-fstrim", args, FstrimResult.class);
  }

  /** Freezes every freezable filesystem; returns how many were frozen. */
  public long fsfreezeFreeze() {
    return callLong("guest-fsfreeze-freeze", null);
  }

  public long fsfreezeFreezeList(List<String> mountpoints) {
    ObjectNode args = AgentCommand.args();
    if (mountpoints != null) {
      mountpoints.forEach(args.putArray("mountpoints")::add);
    }
    return callLong("guest-fsfreeze-freeze-list", args);
  }

  /** Thaws; returns how many filesystems were thawed. */
  public long fsfreezeThaw() {
    return callLong("guest-fsfreeze-thaw", null);
  }

  /**
   * No reply on success: returns once the agent accepted it or stayed silent until the deadline.
   */
  public void shutdown(ShutdownMode mode) {
    ObjectNode args = AgentCommand.args();
    if (mode != null) {
      args.put("mode", mode.wire());
    }
    execute("guest-shutdown", args);
  }

  public void suspendDisk() {
    execute("guest-suspend-disk", null);
  }

  public void suspendRam() {
    execute("guest-suspend-ram", null);
  }

  public void suspendHybrid() {
    execute("guest-suspend-hybrid", null);
  }

  public long exec(String path, List<String> args, boolean captureOutput) {
    return exec(path, args, null, null, captureOutput);
  }

  /**
   * {@code guest-exec} with environment and standard input: {@code env} entries are {@code
   * NAME=value}, {@code input} is sent base64-encoded as {@code input-data} (null: none).
   */
  public long exec(
      String path, List<String> args, List<String> env, byte[] input, boolean captureOutput) {
    ObjectNode a = AgentCommand.args();
    a.put("path", path);
    if (args != null && !args.isEmpty()) {
      args.forEach(a.putArray("arg")::add);
    }
    if (env != null && !env.isEmpty()) {
      env.forEach(a.putArray("env")::add);
    }
    if (input != null) {
      a.put("input-data", Base64.getEncoder().encodeToString(input));
    }
    a.put("capture-output", captureOutput);
    JsonNode value = execute("guest-exec", a);
    JsonNode pid = value.get("pid");
    if (pid == null || !pid.canConvertToLong()) {
      throw new AgentProtocolException("guest-exec: expected {pid}, got " + value);
    }
    return pid.asLong();
  }

  public ExecStatus execStatus(long pid) {
    ObjectNode a = AgentCommand.args();
    a.put("pid", pid);
    return call("guest-exec-status", a, ExecStatus.class);
  }

  public long fileOpen(String path, String mode) {
    ObjectNode a = AgentCommand.args();
    a.put("path", path);
    if (mode != null) {
      a.put("mode", mode);
    }
    return callLong("guest-file-open", a);
  }

  public FileRead fileRead(long handle, Long count) {
    ObjectNode a = AgentCommand.args();
    a.put("handle", handle);
    if (count != null) {
      a.put("count", count);
    }
    return call("guest-file-read", a, FileRead.class);
  }

  /**
   * {@code guest-file-read} of at most {@code count} bytes, decoded and checked: the guest's bytes
   * must be valid base64, no more than asked for, and as many as its {@code count} says; anything
   * else is an {@link AgentProtocolException} (the guest is not trusted with sizes).
   */
  public FileChunk readChunk(long handle, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be positive: " + count);
    }
    FileRead r = fileRead(handle, (long) count);
    String b64 = r.bufBase64() == null ? "" : r.bufBase64();
    // 4 characters per 3 bytes: a longer text cannot decode to at most count bytes
    if (b64.length() > ((long) count + 2) / 3 * 4) {
      throw new AgentProtocolException(
          "guest-file-read: "
              + b64.length()
              + " base64 characters for at most "
              + count
              + " bytes");
    }
    byte[] data;
    try {
      data = Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new AgentProtocolException("guest-file-read: buf-b64 is not base64: " + e.getMessage());
    }
    if (data.length > count || r.count() != data.length) {
      throw new AgentProtocolException(
          "guest-file-read: count "
              + r.count()
              + " for "
              + data.length
              + " bytes of data, at most "
              + count
              + " asked for");
    }
    return new FileChunk(data, r.eof());
  }

  /**
   * {@code guest-file-write} of {@code data}; returns how many bytes the guest says it wrote,
   * checked to be within 0 and {@code data.length}.
   */
  public long fileWrite(long handle, byte[] data) {
    ObjectNode a = AgentCommand.args();
    a.put("handle", handle);
    a.put("buf-b64", Base64.getEncoder().encodeToString(data));
    JsonNode value = execute("guest-file-write", a);
    JsonNode count = value.get("count");
    if (count == null || !count.canConvertToExactIntegral() || !count.canConvertToLong()) {
      throw new AgentProtocolException("guest-file-write: expected {count, eof}, got " + value);
    }
    long n = count.asLong();
    if (n < 0 || n > data.length) {
      throw new AgentProtocolException(
          "guest-file-write: count " + n + " for " + data.length + " bytes sent");
    }
    return n;
  }

  public void fileClose(long handle) {
    ObjectNode a = AgentCommand.args();
    a.put("handle", handle);
    execute("guest-file-close", a);
  }

  /** {@code passwordBase64} is the base64 of the password (crypted or clear text). */
  public void setUserPassword(String username, String passwordBase64, boolean crypted) {
    ObjectNode a = AgentCommand.args();
    a.put("username", username);
    a.put("password", passwordBase64);
    a.put("crypted", crypted);
    execute("guest-set-user-password", a);
  }

  public List<String> sshGetAuthorizedKeys(String username) {
    ObjectNode a = AgentCommand.args();
    a.put("username", username);
    JsonNode value = execute("guest-ssh-get-authorized-keys", a);
    return convert("guest-ssh-get-authorized-keys", value.path("keys"), new TypeReference<>() {});
  }

  public void sshAddAuthorizedKeys(String username, List<String> keys, boolean reset) {
    ObjectNode a = AgentCommand.args();
    a.put("username", username);
    keys.forEach(a.putArray("keys")::add);
    a.put("reset", reset);
    execute("guest-ssh-add-authorized-keys", a);
  }

  public void sshRemoveAuthorizedKeys(String username, List<String> keys) {
    ObjectNode a = AgentCommand.args();
    a.put("username", username);
    keys.forEach(a.putArray("keys")::add);
    execute("guest-ssh-remove-authorized-keys", a);
  }
}
