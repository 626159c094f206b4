package io.qga.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
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
 *
 * <p>This class is the guest's public face (builder, control surface, the connection side with the
 * hostile delivery modes); the rest lives in package-private parts: {@link GuestState} (clock,
 * freeze, trim, power), {@link GuestDispatch} (request checks and the command switch), {@link
 * GuestCommands} (command table, guest-info), {@link GuestProfile} (traits from the seed) and the
 * reply builders {@link NetworkReplies}, {@link StorageReplies} and {@link SystemReplies}.
 */
public final class SimulatedGuest implements AgentServer.Handler {
  /** A guest-set-time the guest received: {@code time} in ns since the epoch, empty for "RTC". */
  public record SetTime(OptionalLong time, Instant at) {}

  private final String domain;
  private final Flavour flavour;
  private final Map<String, AtomicLong> received = new ConcurrentHashMap<>();
  // The clock, freeze, trim and power state, under its own lock.
  private final GuestState state;
  // Turns a request into its reply line (the real agent's checks, the commands).
  private final GuestDispatch dispatch;

  // Programs and files, reachable only when the guest was built with execAndFiles().
  private final GuestExec exec = new GuestExec();
  private final boolean execAndFiles;
  private volatile FileReadFault fileReadFault;

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
    GuestProfile profile = new GuestProfile(new Random(b.seed ^ ((long) domain.hashCode() << 32)));
    this.state = new GuestState(flavour, b.clock, profile, b.rtcOffset, b.rebootTime, b.driftPpm);
    this.dispatch = new GuestDispatch(this, b.clock, profile, state);
    this.hostile = b.hostile;
    this.slowDown =
        b.slowDown != null
            ? b.slowDown
            : b.hostile == HostileMode.ANSWER_AFTER ? Duration.ofSeconds(2) : Duration.ZERO;
    this.trickleInterval = b.trickleInterval;
    this.execAndFiles = b.execAndFiles;
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
    private boolean execAndFiles;

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

    /**
     * The agent runs guest-exec and guest-file-open/read/write/close (by default they are blocked,
     * as qemu-ga started with {@code -b}): programs come from {@link SimulatedGuest#program}, files
     * from an in-memory file system.
     */
    public Builder execAndFiles() {
      this.execAndFiles = true;
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
  public void setClockOffset(Duration offset) {
    state.setClockOffset(offset);
  }

  /** The guest clock minus the host clock right now, drift included. */
  public Duration clockOffset() {
    return state.clockOffset();
  }

  public void setDriftPpm(double driftPpm) {
    state.setDriftPpm(driftPpm);
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
    state.setFstrimError(mountpoint, error);
  }

  /** What guest-exec of {@code path} runs (with {@link Builder#execAndFiles()}). */
  public void program(String path, GuestProgram program) {
    exec.program(path, program);
  }

  /** Puts a file into the guest's in-memory file system. */
  public void putFile(String path, byte[] content) {
    exec.putFile(path, content);
  }

  /** A file of the guest's in-memory file system (what guest-file-write left there). */
  public Optional<byte[]> file(String path) {
    return exec.file(path);
  }

  /** Makes guest-file-read lie about sizes; null: honest reads. */
  public void setFileReadFault(FileReadFault fault) {
    this.fileReadFault = fault;
  }

  FileReadFault fileReadFault() {
    return fileReadFault;
  }

  /** guest-file handles opened and not closed yet. */
  public int openFileHandles() {
    return exec.openHandles();
  }

  boolean execAndFiles() {
    return execAndFiles;
  }

  GuestExec exec() {
    return exec;
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
  public SetTime lastSetTime() {
    return state.lastSetTime();
  }

  /** The mode of the last guest-shutdown, or null. */
  public String lastShutdownMode() {
    return state.lastShutdownMode();
  }

  public boolean frozen() {
    return state.frozen();
  }

  /**
   * Freezes or thaws the filesystems as another client of this agent would (a backup tool freezing
   * through libvirt on the same channel): the agent then refuses most commands with "the agent is
   * in frozen state", as qemu-ga 7.2 does.
   */
  public void setFrozen(boolean frozen) {
    state.setFrozen(frozen);
  }

  /** False after a guest-shutdown (halt or powerdown) until {@link #powerOn()}. */
  public boolean poweredOn() {
    return state.poweredOn();
  }

  /** Boots the guest again: uptime and counters restart, filesystems thawed. */
  public void powerOn() {
    state.powerOn();
  }

  /** Called (on the agent's thread) when the guest powers off; the agent uses it to vanish. */
  void onPowerOff(Runnable onPowerOff) {
    this.onPowerOff = Objects.requireNonNull(onPowerOff);
  }

  /** The guest just powered off (guest-shutdown halt or powerdown). */
  void poweredOff() {
    onPowerOff.run();
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
      reply = dispatch.dispatch(request, name, mode, connection);
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
    return state.down();
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
    if (mode == HostileMode.TRICKLE
        && !GuestCommands.HANDSHAKE.contains(name)
        && !name.equals("<0xff>")) {
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
}
