package io.qga.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A guest with a qemu-ga inside, as an {@link AgentServer.Handler}: plausible values that change
 * over time (counters grow with uptime, filesystems fill, users come and go), the state behind
 * actions (clock offset, fsfreeze, fstrim, power) and the error replies of the real agent, word for
 * word. Values depend only on the seed and the clock, so two guests built alike answer alike.
 *
 * <p>The control methods (offset, slow-down, silence, counts) are thread-safe: tests call them
 * while the agent's connection thread serves requests.
 */
public final class SimulatedGuest implements AgentServer.Handler {
  /** A guest-set-time the guest received: {@code time} in ns since the epoch, empty for "RTC". */
  public record SetTime(OptionalLong time, Instant at) {}

  // Commands that work while frozen, as qga/main.c's allow-list.
  private static final Set<String> FROZEN_ALLOWED =
      Set.of(
          "guest-ping",
          "guest-info",
          "guest-sync",
          "guest-sync-delimited",
          "guest-fsfreeze-status",
          "guest-fsfreeze-thaw");
  // Refused as if started with -b: this guest never runs programs or touches files for the host.
  private static final Set<String> BLOCKED =
      Set.of(
          "guest-exec",
          "guest-exec-status",
          "guest-file-open",
          "guest-file-close",
          "guest-file-read",
          "guest-file-write",
          "guest-file-seek",
          "guest-file-flush",
          "guest-set-user-password",
          "guest-set-vcpus",
          "guest-set-memory-blocks",
          "guest-suspend-disk",
          "guest-suspend-ram",
          "guest-suspend-hybrid",
          "guest-ssh-add-authorized-keys",
          "guest-ssh-remove-authorized-keys");
  private static final Set<String> NO_SUCCESS_RESPONSE =
      Set.of("guest-shutdown", "guest-suspend-disk", "guest-suspend-ram", "guest-suspend-hybrid");
  private static final Set<String> LINUX_ONLY =
      Set.of(
          "guest-get-memory-blocks",
          "guest-set-memory-blocks",
          "guest-get-memory-block-info",
          "guest-get-diskstats",
          "guest-get-cpustats",
          "guest-set-vcpus",
          "guest-get-load");
  /** Handshake commands that even a hostile agent answers normally. */
  private static final Set<String> HANDSHAKE =
      Set.of("guest-sync", "guest-sync-delimited", "guest-ping", "guest-info");

  /** Every command of the schema with the QEMU version (major * 100 + minor) it appeared in. */
  private static final Map<String, Integer> SINCE = new LinkedHashMap<>();
  /** The arguments each implemented command accepts (others are "unexpected"). */
  private static final Map<String, Set<String>> ARGUMENTS = Map.of(
      "guest-sync", Set.of("id"),
      "guest-sync-delimited", Set.of("id"),
      "guest-set-time", Set.of("time"),
      "guest-fstrim", Set.of("minimum"),
      "guest-fsfreeze-freeze-list", Set.of("mountpoints"),
      "guest-shutdown", Set.of("mode"),
      "guest-ssh-get-authorized-keys", Set.of("username"));

  static {
    String[][] table = {
      {"guest-sync-delimited", "101"}, {"guest-sync", "15"}, {"guest-ping", "15"},
      {"guest-get-time", "105"}, {"guest-set-time", "105"}, {"guest-info", "15"},
      {"guest-shutdown", "15"}, {"guest-file-open", "15"}, {"guest-file-close", "15"},
      {"guest-file-read", "15"}, {"guest-file-write", "15"}, {"guest-file-seek", "15"},
      {"guest-file-flush", "15"}, {"guest-fsfreeze-status", "15"},
      {"guest-fsfreeze-freeze", "15"}, {"guest-fsfreeze-freeze-list", "202"},
      {"guest-fsfreeze-thaw", "15"}, {"guest-fstrim", "102"}, {"guest-suspend-disk", "101"},
      {"guest-suspend-ram", "101"}, {"guest-suspend-hybrid", "101"},
      {"guest-network-get-interfaces", "101"}, {"guest-get-vcpus", "105"},
      {"guest-set-vcpus", "105"}, {"guest-get-disks", "502"}, {"guest-get-fsinfo", "202"},
      {"guest-set-user-password", "203"}, {"guest-get-memory-blocks", "203"},
      {"guest-set-memory-blocks", "203"}, {"guest-get-memory-block-info", "203"},
      {"guest-exec-status", "205"}, {"guest-exec", "205"}, {"guest-get-host-name", "210"},
      {"guest-get-users", "210"}, {"guest-get-timezone", "210"}, {"guest-get-osinfo", "210"},
      {"guest-ssh-get-authorized-keys", "502"}, {"guest-ssh-add-authorized-keys", "502"},
      {"guest-ssh-remove-authorized-keys", "502"}, {"guest-get-diskstats", "701"},
      {"guest-get-cpustats", "701"}, {"guest-get-load", "1000"},
    };
    for (String[] row : table) {
      SINCE.put(row[0], Integer.parseInt(row[1]));
    }
  }

  private final String domain;
  private final Flavour flavour;
  private final Clock clock;
  private final Profile profile;
  private final Duration rtcOffset;
  private final Duration rebootTime;
  private final Map<String, AtomicLong> received = new ConcurrentHashMap<>();
  private final Map<String, String> fstrimErrors = new ConcurrentHashMap<>();

  // Mutable state, guarded by "this".
  private long clockOffsetNanos;
  private long offsetSetAtNanos;
  private double driftPpm;
  private long bootMillis;
  private long frozenAtMillis = -1;
  private int frozenCount;
  private long lastTrimMillis = -1;
  private long rebootUntilMillis;
  private boolean poweredOn = true;
  private SetTime lastSetTime;
  private String lastShutdownMode;

  // Bumped by restartAgent(): a request read before the bump gets no reply.
  private final AtomicLong agentGeneration = new AtomicLong();
  private volatile boolean responding = true;
  private volatile HostileMode hostile;
  private volatile Duration slowDown;
  private volatile Duration trickleInterval;
  private volatile Runnable onPowerOff = () -> {};

  private SimulatedGuest(Builder b) {
    this.domain = b.domain;
    this.flavour = b.flavour;
    this.clock = b.clock;
    this.rtcOffset = b.rtcOffset;
    this.rebootTime = b.rebootTime;
    this.profile = new Profile(new Random(b.seed ^ ((long) domain.hashCode() << 32)));
    this.hostile = b.hostile;
    this.slowDown =
        b.slowDown != null
            ? b.slowDown
            : b.hostile == HostileMode.ANSWER_AFTER ? Duration.ofSeconds(2) : Duration.ZERO;
    this.trickleInterval = b.trickleInterval;
    this.driftPpm = b.driftPpm;
    long now = clock.millis();
    this.bootMillis = now - profile.uptimeAtStartMillis;
    this.offsetSetAtNanos = hostNanos();
  }

  public static Builder builder(String domain) {
    return new Builder(domain);
  }

  /** Options of a simulated guest; every one has a plausible default. */
  public static final class Builder {
    private final String domain;
    private Flavour flavour = Flavour.LINUX_9_2;
    private long seed = 1;
    private Clock clock = Clock.systemUTC();
    private Duration rtcOffset = Duration.ZERO;
    private Duration rebootTime = Duration.ofSeconds(3);
    private double driftPpm;
    private HostileMode hostile;
    private Duration slowDown;
    private Duration trickleInterval = Duration.ofSeconds(1);

    private Builder(String domain) {
      this.domain = Objects.requireNonNull(domain, "domain");
    }

    public Builder flavour(Flavour flavour) {
      this.flavour = Objects.requireNonNull(flavour, "flavour");
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The host's clock; guest time is this plus the guest's offset and drift. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where the guest clock lands after guest-set-time without a time (read from the RTC). */
    public Builder rtcOffset(Duration rtcOffset) {
      this.rtcOffset = Objects.requireNonNull(rtcOffset, "rtcOffset");
      return this;
    }

    /** How fast the guest clock runs away from the host's, in parts per million. */
    public Builder driftPpm(double driftPpm) {
      this.driftPpm = driftPpm;
      return this;
    }

    /** How long a guest-shutdown with mode reboot keeps the agent silent. */
    public Builder rebootTime(Duration rebootTime) {
      this.rebootTime = Objects.requireNonNull(rebootTime, "rebootTime");
      return this;
    }

    public Builder hostile(HostileMode hostile) {
      this.hostile = hostile;
      return this;
    }

    /** A delay before every reply; {@link HostileMode#ANSWER_AFTER} defaults it to 2 s. */
    public Builder slowDown(Duration slowDown) {
      this.slowDown = Objects.requireNonNull(slowDown, "slowDown");
      return this;
    }

    /** The pause between bytes of {@link HostileMode#TRICKLE}. */
    public Builder trickleInterval(Duration trickleInterval) {
      this.trickleInterval = Objects.requireNonNull(trickleInterval, "trickleInterval");
      return this;
    }

    public SimulatedGuest build() {
      return new SimulatedGuest(this);
    }
  }

  public String domain() {
    return domain;
  }

  public Flavour flavour() {
    return flavour;
  }

  // ---- control surface for tests --------------------------------------------------------

  /** Sets the guest clock to host clock plus {@code offset} (drift counts from now). */
  public synchronized void setClockOffset(Duration offset) {
    clockOffsetNanos = offset.toNanos();
    offsetSetAtNanos = hostNanos();
  }

  /** The guest clock minus the host clock right now, drift included. */
  public synchronized Duration clockOffset() {
    return Duration.ofNanos(guestNanos() - hostNanos());
  }

  public synchronized void setDriftPpm(double driftPpm) {
    clockOffsetNanos = guestNanos() - hostNanos();
    offsetSetAtNanos = hostNanos();
    this.driftPpm = driftPpm;
  }

  /** A delay before every reply (zero for none). */
  public void setSlowDown(Duration slowDown) {
    this.slowDown = Objects.requireNonNull(slowDown, "slowDown");
  }

  public Duration slowDown() {
    return slowDown;
  }

  /** Switches the attack (null for a well-behaved agent). */
  public void setHostile(HostileMode hostile) {
    this.hostile = hostile;
  }

  public HostileMode hostile() {
    return hostile;
  }

  /**
   * False: the agent reads requests and answers nothing, as when qemu-ga is stopped inside a
   * running guest (QEMU still accepts the connection).
   */
  public void setResponding(boolean responding) {
    this.responding = responding;
  }

  public boolean responding() {
    return responding;
  }

  /**
   * qemu-ga restarts inside the guest (the channel stays): a request being worked on right now,
   * e.g. waiting out a slow-down, is lost without a reply. State of the guest (clock, freeze)
   * stays, as the real frozen state survives an agent restart.
   */
  public void restartAgent() {
    agentGeneration.incrementAndGet();
  }

  /** Makes guest-fstrim report {@code error} for {@code mountpoint}; null clears it. */
  public void setFstrimError(String mountpoint, String error) {
    if (error == null) {
      fstrimErrors.remove(mountpoint);
    } else {
      fstrimErrors.put(mountpoint, error);
    }
  }

  /** How many requests named {@code command} arrived (answered or not). */
  public long commandCount(String command) {
    AtomicLong n = received.get(command);
    return n == null ? 0 : n.get();
  }

  /** Requests received per command name, sorted by name. */
  public Map<String, Long> commandCounts() {
    Map<String, Long> counts = new TreeMap<>();
    received.forEach((name, n) -> counts.put(name, n.get()));
    return counts;
  }

  /** The last guest-set-time that succeeded, or null. */
  public synchronized SetTime lastSetTime() {
    return lastSetTime;
  }

  /** The mode of the last guest-shutdown, or null. */
  public synchronized String lastShutdownMode() {
    return lastShutdownMode;
  }

  public synchronized boolean frozen() {
    return isFrozen(clock.millis());
  }

  /**
   * Freezes or thaws the filesystems as another client of this agent would (a backup tool
   * freezing through libvirt on the same channel): the agent then refuses most commands with
   * "the agent is in frozen state", as qemu-ga 7.2 does.
   */
  public synchronized void setFrozen(boolean frozen) {
    frozenAtMillis = frozen ? clock.millis() : -1;
  }

  /** False after a guest-shutdown (halt or powerdown) until {@link #powerOn()}. */
  public synchronized boolean poweredOn() {
    return poweredOn;
  }

  /** Boots the guest again: uptime and counters restart, filesystems thawed. */
  public synchronized void powerOn() {
    poweredOn = true;
    bootMillis = clock.millis();
    rebootUntilMillis = 0;
    frozenAtMillis = -1;
  }

  /** Called (on the agent's thread) when the guest powers off; the agent uses it to vanish. */
  void onPowerOff(Runnable onPowerOff) {
    this.onPowerOff = Objects.requireNonNull(onPowerOff);
  }

  // ---- the agent side of the protocol -----------------------------------------------------

  @Override
  public void onConnect(AgentServer.Connection connection) throws IOException {
    if (hostile == HostileMode.ACCEPT_CLOSE) {
      connection.close();
      return;
    }
    if (!silent()) {
      connection.flushPending();
    }
  }

  @Override
  public void onSentinel(AgentServer.Connection connection) throws IOException {
    count("<0xff>");
    if (silent()) {
      return;
    }
    delay(slowDown);
    if (hostile == HostileMode.ENDLESS_FF) {
      HostileReplies.endlessSentinels(new ConnectionOutput(connection));
    }
    deliver(
        QemuJson.errorLine("GenericError", "JSON parse error, stray '\\uFFFD'"),
        connection,
        "<0xff>");
  }

  @Override
  public void onRequest(JsonNode request, AgentServer.Connection connection) throws IOException {
    String name =
        request != null && request.path("execute").isTextual()
            ? request.path("execute").asText()
            : "<invalid>";
    count(name);
    if (silent()) {
      return;
    }
    long generation = agentGeneration.get();
    delay(slowDown);
    if (generation != agentGeneration.get()) {
      return; // the agent restarted while working on this request
    }
    HostileMode mode = hostile;
    if (mode == HostileMode.ENDLESS_FF) {
      HostileReplies.endlessSentinels(new ConnectionOutput(connection));
    }
    byte[] reply;
    try {
      reply = dispatch(request, name, mode, connection);
    } catch (AgentError e) {
      reply = QemuJson.errorLine(e.errorClass, e.getMessage());
    }
    if (reply != null) {
      deliver(reply, connection, name);
    }
  }

  private boolean silent() {
    if (!responding || hostile == HostileMode.NEVER_ANSWERS) {
      return true;
    }
    synchronized (this) {
      if (rebootUntilMillis != 0 && clock.millis() >= rebootUntilMillis) {
        rebootUntilMillis = 0;
        bootMillis = clock.millis();
      }
      return !poweredOn || rebootUntilMillis != 0;
    }
  }

  private void count(String name) {
    received.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
  }

  private static void delay(Duration d) throws InterruptedIOException {
    if (d.isZero() || d.isNegative()) {
      return;
    }
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("agent server closing");
    }
  }

  /** Sends a reply line, shaped by the newline and trickle attacks. */
  private void deliver(byte[] reply, AgentServer.Connection connection, String name)
      throws IOException {
    HostileMode mode = hostile;
    if (mode == HostileMode.NO_NEWLINE) {
      reply = java.util.Arrays.copyOf(reply, reply.length - 1);
    }
    // The answer to 0xFF is part of the handshake too: a trickling agent still lets clients sync.
    if (mode == HostileMode.TRICKLE && !HANDSHAKE.contains(name) && !name.equals("<0xff>")) {
      for (byte b : reply) {
        connection.sendRaw(new byte[] {b});
        delay(trickleInterval);
      }
      return;
    }
    try {
      connection.sendRaw(reply);
    } catch (IOException e) {
      // The client left before its answer: like qemu-ga, hand the answer to the next client.
      if (reply.length > 0 && reply[0] != (byte) 0xFF && reply[reply.length - 1] == '\n') {
        connection.sendLater(new String(reply, 0, reply.length - 1, StandardCharsets.US_ASCII));
      }
      throw e;
    }
  }

  /** An error reply of the real agent. */
  private static final class AgentError extends Exception {
    private static final long serialVersionUID = 1L;
    final String errorClass;

    AgentError(String errorClass, String desc) {
      super(desc, null, false, false);
      this.errorClass = errorClass;
    }

    static AgentError generic(String desc) {
      return new AgentError("GenericError", desc);
    }
  }

  private boolean hasCommand(String name) {
    Integer since = SINCE.get(name);
    if (since == null || !flavour.since(since / 100, since % 100)) {
      return false;
    }
    return !(flavour.windows() && LINUX_ONLY.contains(name));
  }

  private AgentError disabled(String name, String hint) {
    if (!flavour.since(2, 6)) {
      return AgentError.generic("The command " + name + " has been disabled for this instance");
    }
    return new AgentError(
        "CommandNotFound", "Command " + name + " has been disabled" + (hint == null ? "" : ": " + hint));
  }

  /** The reply line, or null when the reply was streamed already or there is none. */
  private byte[] dispatch(
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
    if (!hasCommand(name)) {
      throw new AgentError("CommandNotFound", "The command " + name + " has not been found");
    }
    if (BLOCKED.contains(name)) {
      throw disabled(name, null);
    }
    if (frozen() && !FROZEN_ALLOWED.contains(name)) {
      throw disabled(name, "the agent is in frozen state");
    }
    JsonNode arguments = request.path("arguments");
    if (request.has("arguments") && !arguments.isObject()) {
      throw AgentError.generic("QMP input member 'arguments' must be an object");
    }
    Set<String> allowed = ARGUMENTS.getOrDefault(name, Set.of());
    for (Iterator<String> it = arguments.fieldNames(); it.hasNext(); ) {
      String argument = it.next();
      if (!allowed.contains(argument)) {
        throw AgentError.generic("Parameter '" + argument + "' is unexpected");
      }
    }
    if (mode != null && !HANDSHAKE.contains(name) && attack(mode, name, connection)) {
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
      default -> {
        return false;
      }
    }
    return true;
  }

  private static long requiredLong(JsonNode arguments, String name) throws AgentError {
    JsonNode v = arguments.get(name);
    if (v == null) {
      throw AgentError.generic("Parameter '" + name + "' is missing");
    }
    return checkedLong(v, name);
  }

  private static long checkedLong(JsonNode v, String name) throws AgentError {
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw AgentError.generic("Invalid parameter type for '" + name + "', expected: integer");
    }
    return v.asLong();
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
        if (hostile == HostileMode.WRONG_SYNC_ID) {
          yield QemuJson.object().numberNode(id.bigIntegerValue().add(BigInteger.ONE));
        }
        yield id;
      }
      case "guest-ping" -> QemuJson.object();
      case "guest-info" -> info();
      case "guest-get-time" -> QemuJson.object().numberNode(guestNanosNow());
      case "guest-set-time" -> setTime(arguments);
      case "guest-network-get-interfaces" -> interfaces(uptimeSeconds(now));
      case "guest-get-fsinfo" -> fsinfo(uptimeSeconds(now));
      case "guest-get-users" -> users(now);
      case "guest-get-memory-blocks" -> memoryBlocks();
      case "guest-get-memory-block-info" -> QemuJson.object().put("size", 128L << 20);
      case "guest-get-vcpus" -> vcpus();
      case "guest-get-osinfo" -> osinfo();
      case "guest-get-host-name" -> QemuJson.object().put("host-name", hostName());
      case "guest-get-timezone" -> profile.timezone(flavour);
      case "guest-get-disks" -> disks();
      case "guest-get-diskstats" -> diskstats(uptimeSeconds(now));
      case "guest-get-cpustats" -> cpustats(uptimeSeconds(now));
      case "guest-get-load" -> load(uptimeSeconds(now));
      case "guest-fsfreeze-status" -> QemuJson.object().textNode(frozen() ? "frozen" : "thawed");
      case "guest-fsfreeze-freeze" -> freeze(null);
      case "guest-fsfreeze-freeze-list" -> freeze(arguments.get("mountpoints"));
      case "guest-fsfreeze-thaw" -> thaw();
      case "guest-fstrim" -> fstrim(arguments, now);
      case "guest-shutdown" -> shutdown(arguments, connection);
      case "guest-ssh-get-authorized-keys" -> QemuJson.object().set("keys", QemuJson.array());
      default -> throw AgentError.generic("this feature or command is not currently supported");
    };
  }

  private ObjectNode info() {
    ArrayNode commands = QemuJson.array();
    boolean frozen = frozen();
    for (String name : SINCE.keySet()) {
      if (!hasCommand(name)) {
        continue;
      }
      boolean enabled = !BLOCKED.contains(name) && (!frozen || FROZEN_ALLOWED.contains(name));
      commands
          .addObject()
          .put("enabled", enabled)
          .put("name", name)
          .put("success-response", !NO_SUCCESS_RESPONSE.contains(name));
    }
    ObjectNode info = QemuJson.object().put("version", flavour.version());
    info.set("supported_commands", commands);
    return info;
  }

  // ---- clock ----------------------------------------------------------------------------

  private long hostNanos() {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private long guestNanos() {
    long host = hostNanos();
    return host + clockOffsetNanos + (long) ((host - offsetSetAtNanos) * driftPpm / 1e6);
  }

  private synchronized long guestNanosNow() {
    return guestNanos();
  }

  private synchronized JsonNode setTime(JsonNode arguments) throws AgentError {
    JsonNode time = arguments.get("time");
    long host = hostNanos();
    if (time != null) {
      long nanos = checkedLong(time, "time");
      clockOffsetNanos = nanos - host;
      lastSetTime = new SetTime(OptionalLong.of(nanos), clock.instant());
    } else {
      // Linux reads the RTC (hwclock -s); Windows resyncs with its time source (w32tm).
      clockOffsetNanos = flavour.windows() ? 0 : rtcOffset.toNanos();
      lastSetTime = new SetTime(OptionalLong.empty(), clock.instant());
    }
    offsetSetAtNanos = host;
    return QemuJson.object();
  }

  // ---- freeze, trim, power ------------------------------------------------------------------

  private boolean isFrozen(long now) {
    // qemu-ga-win freezes through VSS, which lets go after 10 s.
    if (frozenAtMillis >= 0 && flavour.windows() && now - frozenAtMillis >= 10_000) {
      frozenAtMillis = -1;
    }
    return frozenAtMillis >= 0;
  }

  private synchronized JsonNode freeze(JsonNode mountpoints) throws AgentError {
    List<String> names = new ArrayList<>();
    for (Profile.Filesystem fs : profile.filesystems(flavour)) {
      if (fs.mountpoint() != null) {
        names.add(fs.mountpoint());
      }
    }
    int count = names.size();
    if (mountpoints != null && !mountpoints.isNull()) {
      if (!mountpoints.isArray()) {
        throw AgentError.generic("Invalid parameter type for 'mountpoints', expected: array");
      }
      count = 0;
      for (JsonNode m : mountpoints) {
        if (names.contains(m.asText())) {
          count++;
        }
      }
    }
    frozenAtMillis = clock.millis();
    frozenCount = count;
    return QemuJson.object().numberNode(count);
  }

  private synchronized JsonNode thaw() {
    int count = isFrozen(clock.millis()) ? frozenCount : 0;
    frozenAtMillis = -1;
    return QemuJson.object().numberNode(count);
  }

  private synchronized JsonNode fstrim(JsonNode arguments, long now) throws AgentError {
    JsonNode minimumNode = arguments.get("minimum");
    long minimum = minimumNode == null ? 0 : checkedLong(minimumNode, "minimum");
    double uptime = uptimeSeconds(now);
    ArrayNode paths = QemuJson.array();
    for (Profile.Filesystem fs : profile.filesystems(flavour)) {
      if (fs.mountpoint() == null) {
        continue;
      }
      ObjectNode path = paths.addObject().put("path", fs.mountpoint());
      String error = fstrimErrors.get(fs.mountpoint());
      if (error != null) {
        path.put("error", error);
        continue;
      }
      if (flavour.windows()) {
        continue; // qemu-ga-win reports only the path
      }
      long free = fs.total() - fs.used(uptime);
      long trimmed =
          lastTrimMillis < 0
              ? free / 10
              : Math.min(free, (long) (fs.growthPerSecond() * 4 * (now - lastTrimMillis) / 1000));
      path.put("trimmed", trimmed < minimum ? 0 : trimmed).put("minimum", minimum);
    }
    lastTrimMillis = now;
    ObjectNode result = QemuJson.object();
    result.set("paths", paths);
    return result;
  }

  private JsonNode shutdown(JsonNode arguments, AgentServer.Connection connection)
      throws AgentError {
    JsonNode modeNode = arguments.get("mode");
    String mode = modeNode == null ? "powerdown" : modeNode.asText();
    if (!Set.of("powerdown", "halt", "reboot").contains(mode)) {
      throw AgentError.generic("Parameter 'mode' expects 'halt', 'powerdown' or 'reboot'");
    }
    synchronized (this) {
      lastShutdownMode = mode;
      frozenAtMillis = -1;
      if (mode.equals("reboot")) {
        // QEMU keeps the channel; the agent is silent until the guest has booted again.
        rebootUntilMillis = clock.millis() + Math.max(1, rebootTime.toMillis());
        return null;
      }
      poweredOn = false;
    }
    // Powered off: QEMU exits, the socket and then the connection go away.
    onPowerOff.run();
    connection.close();
    return null;
  }

  // ---- guest data -----------------------------------------------------------------------------

  private synchronized double uptimeSeconds(long now) {
    return Math.max(0, now - bootMillis) / 1000.0;
  }

  private String hostName() {
    if (!flavour.windows()) {
      return domain;
    }
    String netbios = domain.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9-]", "-");
    return netbios.length() > 15 ? netbios.substring(0, 15) : netbios;
  }

  private ArrayNode interfaces(double uptime) {
    ArrayNode list = QemuJson.array();
    boolean stats = flavour.since(2, 11);
    if (flavour.windows()) {
      ObjectNode eth = list.addObject().put("name", "Ethernet").put("hardware-address", profile.mac);
      addresses(eth, uptime, true);
      if (stats) {
        eth.set("statistics", profile.statistics(uptime, 1));
      }
      ObjectNode lo = list.addObject().put("name", "Loopback Pseudo-Interface 1");
      ArrayNode ips = lo.putArray("ip-addresses");
      ips.addObject().put("ip-address-type", "ipv6").put("ip-address", "::1").put("prefix", 128);
      ips.addObject().put("ip-address-type", "ipv4").put("ip-address", "127.0.0.1").put("prefix", 8);
      if (stats) {
        lo.set("statistics", profile.statistics(uptime, 0));
      }
      return list;
    }
    ObjectNode lo = list.addObject().put("name", "lo").put("hardware-address", "00:00:00:00:00:00");
    ArrayNode ips = lo.putArray("ip-addresses");
    ips.addObject().put("ip-address-type", "ipv4").put("ip-address", "127.0.0.1").put("prefix", 8);
    ips.addObject().put("ip-address-type", "ipv6").put("ip-address", "::1").put("prefix", 128);
    if (stats) {
      lo.set("statistics", profile.statistics(uptime, 0));
    }
    ObjectNode eth0 = list.addObject().put("name", "eth0").put("hardware-address", profile.mac);
    addresses(eth0, uptime, false);
    if (stats) {
      eth0.set("statistics", profile.statistics(uptime, 1));
    }
    if (profile.secondInterface) {
      ObjectNode eth1 =
          list.addObject().put("name", "eth1").put("hardware-address", profile.mac2);
      eth1.putArray("ip-addresses")
          .addObject()
          .put("ip-address-type", "ipv4")
          .put("ip-address", profile.ipv4b)
          .put("prefix", 16);
      if (stats) {
        eth1.set("statistics", profile.statistics(uptime, 2));
      }
    }
    return list;
  }

  private void addresses(ObjectNode nic, double uptime, boolean windows) {
    ArrayNode ips = nic.putArray("ip-addresses");
    if (windows) {
      ips.addObject().put("ip-address-type", "ipv6").put("ip-address", profile.linkLocal).put("prefix", 64);
      ips.addObject().put("ip-address-type", "ipv4").put("ip-address", profile.ipv4).put("prefix", 24);
      return;
    }
    ips.addObject().put("ip-address-type", "ipv4").put("ip-address", profile.ipv4).put("prefix", 24);
    // A global IPv6 address appears a minute after boot (router advertisement, SLAAC).
    if (uptime >= 60) {
      ips.addObject().put("ip-address-type", "ipv6").put("ip-address", profile.globalV6).put("prefix", 64);
    }
    ips.addObject().put("ip-address-type", "ipv6").put("ip-address", profile.linkLocal).put("prefix", 64);
  }

  private ArrayNode fsinfo(double uptime) {
    ArrayNode list = QemuJson.array();
    int unit = 0;
    for (Profile.Filesystem fs : profile.filesystems(flavour)) {
      ObjectNode o = list.addObject().put("name", fs.name());
      o.put("mountpoint", fs.mountpoint() == null ? "System Reserved" : fs.mountpoint());
      o.put("type", fs.type());
      boolean counts = flavour.since(3, 0) && (fs.mountpoint() != null || !flavour.windows());
      if (counts) {
        long used = fs.used(uptime);
        o.put("used-bytes", used);
        // total = (used blocks + bavail) x frsize, leaving out the 5 % reserved for root
        o.put("total-bytes", fs.total());
        if (flavour.since(9, 1) && !flavour.windows()) {
          o.put("total-bytes-privileged", fs.total() + fs.total() / 19);
        }
      }
      ObjectNode disk = o.putArray("disk").addObject();
      disk.putObject("pci-controller")
          .put("domain", 0)
          .put("bus", 0)
          .put("slot", flavour.windows() ? 5 : 4 + fs.disk())
          .put("function", 0);
      disk.put("bus-type", flavour.windows() ? "scsi" : "virtio")
          .put("bus", 0)
          .put("target", 0)
          .put("unit", flavour.windows() ? unit++ : 0);
      if (flavour.since(3, 1)) {
        disk.put("serial", "QM0000" + (fs.disk() + 1));
      }
      if (flavour.since(5, 0) && !flavour.windows()) {
        disk.put("dev", "/dev/" + fs.name());
      }
    }
    return list;
  }

  private ArrayNode users(long now) {
    ArrayNode list = QemuJson.array();
    double boot;
    synchronized (this) {
      boot = bootMillis / 1000.0;
    }
    if (flavour.windows()) {
      list.addObject()
          .put("user", "Administrator")
          .put("domain", hostName())
          .put("login-time", seconds(boot + 95.25));
      return list;
    }
    list.addObject().put("user", "root").put("login-time", seconds(boot + 61.5));
    // "deploy" logs in for five minutes of every ten.
    double uptime = uptimeSeconds(now);
    long window = (long) (uptime / 300);
    if (window % 2 == 0) {
      list.addObject().put("user", "deploy").put("login-time", seconds(boot + window * 300 + 1.75));
    }
    return list;
  }

  /** Seconds as qemu-ga prints a double: plain digits, never 1.7E9. */
  private static java.math.BigDecimal seconds(double value) {
    return java.math.BigDecimal.valueOf(value).setScale(6, java.math.RoundingMode.HALF_EVEN);
  }

  private ArrayNode memoryBlocks() {
    ArrayNode list = QemuJson.array();
    for (int i = 0; i < profile.memoryBlocks; i++) {
      boolean online = i < profile.memoryBlocks - profile.offlineBlocks;
      list.addObject().put("online", online).put("can-offline", i != 0).put("phys-index", i);
    }
    return list;
  }

  private ArrayNode vcpus() {
    ArrayNode list = QemuJson.array();
    for (int i = 0; i < profile.vcpus; i++) {
      list.addObject()
          .put("online", true)
          .put("can-offline", !flavour.windows() && i != 0)
          .put("logical-id", i);
    }
    return list;
  }

  private ObjectNode osinfo() {
    ObjectNode o = QemuJson.object();
    String[] fields =
        switch (flavour) {
          case WINDOWS -> new String[] {
            "mswindows", "Microsoft Windows", "Windows Server 2022 Datacenter", "2022",
            "Microsoft Windows Server 2022", "20348", "10.0", "x86_64", "server", "server"
          };
          case LINUX_7_2 -> new String[] {
            "debian", "Debian GNU/Linux", "Debian GNU/Linux 12 (bookworm)", "12",
            "12 (bookworm)", "6.1.0-28-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1",
            "x86_64", null, null
          };
          case LINUX_10_0 -> new String[] {
            "fedora", "Fedora Linux", "Fedora Linux 42 (Server Edition)", "42",
            "42 (Server Edition)", "6.14.0-63.fc42.x86_64",
            "#1 SMP PREEMPT_DYNAMIC Mon Mar 24 19:53:37 UTC 2025", "x86_64", "Server Edition",
            "server"
          };
          default -> new String[] {
            "ubuntu", "Ubuntu", "Ubuntu 24.04.2 LTS", "24.04", "24.04.2 LTS (Noble Numbat)",
            "6.8.0-57-generic", "#59-Ubuntu SMP PREEMPT_DYNAMIC Sat Mar 15 17:40:59 UTC 2025",
            "x86_64", null, null
          };
        };
    String[] keys = {
      "id", "name", "pretty-name", "version-id", "version", "kernel-release", "kernel-version",
      "machine", "variant", "variant-id"
    };
    for (int i = 0; i < keys.length; i++) {
      if (fields[i] != null) {
        o.put(keys[i], fields[i]);
      }
    }
    return o;
  }

  private ArrayNode disks() {
    ArrayNode list = QemuJson.array();
    if (flavour.windows()) {
      ObjectNode d = list.addObject().put("name", "\\\\.\\PhysicalDrive0").put("partition", false);
      diskAddress(d.putObject("address"), 0, "scsi");
      return list;
    }
    for (int disk = 0; disk < profile.disks; disk++) {
      String dev = "/dev/vd" + (char) ('a' + disk);
      if (disk == 0) {
        ObjectNode part = list.addObject().put("name", dev + "1").put("partition", true);
        part.putArray("dependencies").add(dev);
      }
      ObjectNode d = list.addObject().put("name", dev).put("partition", false);
      d.putArray("dependencies");
      diskAddress(d.putObject("address"), disk, "virtio").put("dev", dev);
    }
    return list;
  }

  private static ObjectNode diskAddress(ObjectNode address, int disk, String busType) {
    address.putObject("pci-controller").put("domain", 0).put("bus", 0).put("slot", 4 + disk)
        .put("function", 0);
    return address.put("bus-type", busType).put("bus", 0).put("target", 0).put("unit", 0);
  }

  private ArrayNode diskstats(double uptime) {
    ArrayNode list = QemuJson.array();
    for (int disk = 0; disk < profile.disks; disk++) {
      double rate = profile.diskRate * (disk + 1);
      long readIos = (long) (uptime * rate / 40);
      long writeIos = (long) (uptime * rate / 25);
      ObjectNode stats = QemuJson.object()
          .put("read-sectors", (long) (uptime * rate))
          .put("read-ios", readIos)
          .put("read-merges", readIos / 7)
          .put("read-ticks", readIos / 3)
          .put("write-sectors", (long) (uptime * rate * 1.6))
          .put("write-ios", writeIos)
          .put("write-merges", writeIos / 5)
          .put("write-ticks", writeIos / 2)
          .put("discard-sectors", 0)
          .put("discard-ios", 0)
          .put("discard-merges", 0)
          .put("discard-ticks", 0)
          .put("flush-ios", writeIos / 20)
          .put("flush-ticks", writeIos / 40)
          .put("ios-pgr", 0)
          .put("total-ticks", (readIos + writeIos) / 2)
          .put("weight-ticks", (readIos + writeIos) / 2);
      ObjectNode entry = list.addObject()
          .put("name", "vd" + (char) ('a' + disk))
          .put("major", 252)
          .put("minor", disk * 16);
      entry.set("stats", stats);
    }
    return list;
  }

  private ArrayNode cpustats(double uptime) {
    ArrayNode list = QemuJson.array();
    long total = (long) (uptime * 1000);
    for (int cpu = 0; cpu < profile.vcpus; cpu++) {
      double busy = profile.busy * (1 + 0.1 * cpu);
      long user = (long) (total * busy * 0.7);
      long system = (long) (total * busy * 0.25);
      long iowait = (long) (total * 0.01);
      list.addObject()
          .put("type", "linux")
          .put("cpu", cpu)
          .put("user", user)
          .put("nice", total / 1000)
          .put("system", system)
          .put("idle", total - user - system - iowait - total / 1000)
          .put("iowait", iowait)
          .put("irq", 0)
          .put("softirq", total / 500)
          .put("steal", total / 300)
          .put("guest", 0)
          .put("guestnice", 0);
    }
    return list;
  }

  private ObjectNode load(double uptime) {
    double wave = profile.busy * profile.vcpus;
    double load1 = wave * (1 + 0.5 * Math.sin(uptime / 60));
    double load5 = wave * (1 + 0.3 * Math.sin(uptime / 300));
    double load15 = wave * (1 + 0.1 * Math.sin(uptime / 900));
    return QemuJson.object()
        .put("load1m", round2(load1))
        .put("load5m", round2(load5))
        .put("load15m", round2(load15));
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  /** The fixed traits of one guest, drawn once from its seed. */
  private static final class Profile {
    record Filesystem(
        String name, String mountpoint, String type, long total, long usedAtBoot,
        double growthPerSecond, int disk) {
      long used(double uptime) {
        // Fills up over time, then a cleanup job frees space again: stays below 95 %.
        long room = (long) (total * 0.95) - usedAtBoot;
        long grown = (long) (growthPerSecond * uptime);
        return usedAtBoot + (room <= 0 ? 0 : grown % room) / 4096 * 4096;
      }
    }

    final String mac;
    final String mac2;
    final String ipv4;
    final String ipv4b;
    final String linkLocal;
    final String globalV6;
    final boolean secondInterface;
    final long rxRate;
    final long txRate;
    final int memoryBlocks;
    final int offlineBlocks;
    final int vcpus;
    final int disks;
    final double diskRate;
    final double busy;
    final long rootTotal;
    final long rootUsed;
    final double rootGrowth;
    final long uptimeAtStartMillis;
    final int zone;

    Profile(Random r) {
      int a = r.nextInt(256);
      int b = r.nextInt(256);
      int c = r.nextInt(256);
      mac = String.format("52:54:00:%02x:%02x:%02x", a, b, c);
      mac2 = String.format("52:54:00:%02x:%02x:%02x", c, a, b);
      ipv4 = "10." + a + "." + b + "." + (2 + c % 250);
      ipv4b = "172.16." + b + "." + (2 + a % 250);
      linkLocal = String.format("fe80::5054:ff:fe%02x:%02x%02x", a, b, c);
      globalV6 = String.format("fd00:%x::5054:ff:fe%02x:%02x%02x", a, a, b, c);
      secondInterface = r.nextInt(3) == 0;
      rxRate = 2_000 + r.nextInt(2_000_000);
      txRate = 1_000 + r.nextInt(500_000);
      memoryBlocks = new int[] {16, 32, 64}[r.nextInt(3)];
      offlineBlocks = r.nextInt(4) == 0 ? 2 : 0;
      vcpus = new int[] {1, 2, 4, 8}[r.nextInt(4)];
      disks = 1 + r.nextInt(2);
      diskRate = 50 + r.nextInt(5000);
      busy = 0.02 + r.nextDouble() * 0.3;
      rootTotal = (new long[] {20, 40, 80}[r.nextInt(3)]) << 30;
      rootUsed = (long) (rootTotal * (0.2 + 0.4 * r.nextDouble())) / 4096 * 4096;
      rootGrowth = 1_000 + r.nextInt(200_000);
      uptimeAtStartMillis = 600_000L + (long) (r.nextDouble() * 30 * 86_400_000L);
      zone = r.nextInt(3);
    }

    List<Filesystem> filesystems(Flavour flavour) {
      if (flavour.windows()) {
        return List.of(
            new Filesystem(
                "\\\\?\\Volume{3b1c7a2e-0000-0000-0000-100000000000}\\", "C:\\", "NTFS",
                rootTotal, rootUsed, rootGrowth, 0),
            new Filesystem(
                "\\\\?\\Volume{3b1c7a2e-0000-0000-0000-501f00000000}\\", null, "NTFS",
                524_288_000L, 0, 0, 0));
      }
      List<Filesystem> list = new ArrayList<>();
      list.add(new Filesystem("vda1", "/", "ext4", rootTotal, rootUsed, rootGrowth, 0));
      list.add(new Filesystem("vda15", "/boot/efi", "vfat", 109_422_592L, 6_291_456L, 0, 0));
      if (disks > 1) {
        list.add(
            new Filesystem(
                "vdb", "/srv/data", "xfs", 500L << 30, rootUsed * 5, rootGrowth * 10, 1));
      }
      return list;
    }

    ObjectNode statistics(double uptime, int index) {
      long rx = index == 0 ? (long) (uptime * 120) : (long) (uptime * rxRate / index);
      long tx = index == 0 ? rx : (long) (uptime * txRate / index);
      return QemuJson.object()
          .put("rx-bytes", rx)
          .put("rx-packets", rx / 900)
          .put("rx-errs", 0)
          .put("rx-dropped", index == 0 ? 0 : (long) (uptime / 3600))
          .put("tx-bytes", tx)
          .put("tx-packets", tx / 700)
          .put("tx-errs", 0)
          .put("tx-dropped", 0);
    }

    ObjectNode timezone(Flavour flavour) {
      String[][] zones =
          flavour.windows()
              ? new String[][] {
                {"Coordinated Universal Time", "0"},
                {"W. Europe Standard Time", "3600"},
                {"Eastern Standard Time", "-18000"}
              }
              : new String[][] {{"UTC", "0"}, {"CET", "3600"}, {"EST", "-18000"}};
      return QemuJson.object().put("zone", zones[zone][0]).put("offset", Integer.parseInt(zones[zone][1]));
    }
  }
}
