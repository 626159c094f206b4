package io.qga.client.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.qga.client.AgentAddress;
import io.qga.client.AgentChannel;
import io.qga.client.AgentCommand;
import io.qga.client.AgentConnectionException;
import io.qga.client.AgentErrorException;
import io.qga.client.AgentProtocolException;
import io.qga.client.AgentTimeoutException;
import io.qga.client.Deadlines;
import io.qga.client.transport.Transport;
import io.qga.client.transport.TransportFactory;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A conversation with one agent over a unix or vsock socket, as libvirt's agent code holds it:
 * connect lazily, sync ({@code 0xFF} + {@code guest-sync-delimited} with a fresh random 63-bit id)
 * on every new connection and after any timeout, one request in flight, a deadline on every wait.
 *
 * <ul>
 *   <li>Callers wait for the channel in arrival order, bounded by their own deadline: a caller that
 *       cannot get the channel in time gets {@link AgentTimeoutException}.
 *   <li>A timeout keeps the connection and resyncs before the next command (the late reply is
 *       discarded then). A protocol error drops the connection.
 *   <li>An I/O error or EOF breaks the connection; the next command reconnects. Failed connects
 *       back off exponentially ({@link Options#minBackoff()} to {@link Options#maxBackoff()}, reset
 *       by a successful sync); while backing off, commands fail at once with {@link
 *       AgentConnectionException} saying when the next attempt is.
 *   <li>Commands without a success reply ({@link AgentCommand#expectsSuccessReply()} false):
 *       silence until the deadline, or EOF, is success (an empty object); errors still come back as
 *       errors.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class AgentSession implements AgentChannel {

  /**
   * Tuning of a session.
   *
   * @param connectTimeout upper bound of a connect (also bounded by the caller's deadline)
   * @param syncTimeout upper bound of a sync (also bounded by the caller's deadline): no sync reply
   *     by then means the agent is not responding
   * @param minBackoff wait after the first failed connect
   * @param maxBackoff longest wait between connect attempts
   * @param maxReplyBytes longest reply line accepted
   * @param transports opens connections
   */
  public record Options(
      Duration connectTimeout,
      Duration syncTimeout,
      Duration minBackoff,
      Duration maxBackoff,
      int maxReplyBytes,
      TransportFactory transports) {
    public Options {
      requirePositive(connectTimeout, "connectTimeout");
      requirePositive(syncTimeout, "syncTimeout");
      requirePositive(minBackoff, "minBackoff");
      requirePositive(maxBackoff, "maxBackoff");
      if (maxBackoff.compareTo(minBackoff) < 0) {
        throw new IllegalArgumentException("maxBackoff must not be shorter than minBackoff");
      }
      if (maxReplyBytes <= 0 || maxReplyBytes > ReplyCodec.MAX_REPLY_BYTES) {
        throw new IllegalArgumentException(
            "maxReplyBytes must be in 1.." + ReplyCodec.MAX_REPLY_BYTES + ": " + maxReplyBytes);
      }
      Objects.requireNonNull(transports, "transports");
    }

    /** Connect 3 s, sync 3 s, backoff 100 ms .. 30 s, replies up to 10 MiB, junixsocket. */
    public static Options defaults() {
      return new Options(
          Duration.ofSeconds(3),
          Deadlines.SYNC,
          Duration.ofMillis(100),
          Duration.ofSeconds(30),
          ReplyCodec.MAX_REPLY_BYTES,
          TransportFactory.sockets());
    }

    public Options withConnectTimeout(Duration d) {
      return new Options(d, syncTimeout, minBackoff, maxBackoff, maxReplyBytes, transports);
    }

    public Options withSyncTimeout(Duration d) {
      return new Options(connectTimeout, d, minBackoff, maxBackoff, maxReplyBytes, transports);
    }

    public Options withBackoff(Duration min, Duration max) {
      return new Options(connectTimeout, syncTimeout, min, max, maxReplyBytes, transports);
    }

    public Options withMaxReplyBytes(int bytes) {
      return new Options(connectTimeout, syncTimeout, minBackoff, maxBackoff, bytes, transports);
    }

    public Options withTransports(TransportFactory factory) {
      return new Options(
          connectTimeout, syncTimeout, minBackoff, maxBackoff, maxReplyBytes, factory);
    }

    private static void requirePositive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
    }
  }

  private final AgentAddress address;
  private final Options options;
  private final ReentrantLock lock = new ReentrantLock(true);

  // guarded by lock
  private Wire wire;
  private boolean synced;
  private boolean everSynced;

  /** The last attempt's connection broke before its first sync completed. */
  private boolean freshBreak;

  private int failures;
  private long retryAt;
  private Duration backoff = Duration.ZERO;

  /** The open transport, for close() from any thread. */
  private volatile Transport open;

  private final AtomicLong connects = new AtomicLong();
  private final AtomicLong syncs = new AtomicLong();
  private final AtomicLong stale = new AtomicLong();
  private final AtomicLong timeouts = new AtomicLong();
  private final AtomicLong protocolErrors = new AtomicLong();
  private final AtomicLong connectionErrors = new AtomicLong();
  private volatile String lastError;
  private volatile Instant lastErrorAt;
  private volatile Duration publishedBackoff = Duration.ZERO;

  public AgentSession(AgentAddress address) {
    this(address, Options.defaults());
  }

  public AgentSession(AgentAddress address, Options options) {
    this.address = Objects.requireNonNull(address, "address");
    this.options = Objects.requireNonNull(options, "options");
  }

  public AgentAddress address() {
    return address;
  }

  /**
   * How an {@link AgentProbe} can probe this agent, with this session's sync timeout and reply
   * bound: present when the session talks to a unix socket with the default transport (not vsock,
   * not a transport of a test or proxy).
   */
  public Optional<AgentProbe.Target> probeTarget() {
    return address instanceof AgentAddress.Unix unix
            && options.transports() == TransportFactory.sockets()
        ? Optional.of(
            new AgentProbe.Target(unix.path(), options.syncTimeout(), options.maxReplyBytes()))
        : Optional.empty();
  }

  @Override
  public String describe() {
    return address.toString();
  }

  /** A snapshot of the counters; never waits for the channel. */
  public SessionStats stats() {
    return new SessionStats(
        open != null,
        connects.get(),
        syncs.get(),
        stale.get(),
        timeouts.get(),
        protocolErrors.get(),
        connectionErrors.get(),
        lastError,
        lastErrorAt,
        publishedBackoff);
  }

  @Override
  public JsonNode execute(AgentCommand command, Duration deadline) {
    Objects.requireNonNull(command, "command");
    Duration budget = deadline != null ? deadline : Deadlines.defaultFor(command.name());
    long start = System.nanoTime();
    long end = start + Math.min(Math.max(budget.toNanos(), 0), Long.MAX_VALUE / 4);
    acquire(command, budget, end);
    try {
      return executeLocked(command, budget, end);
    } finally {
      lock.unlock();
    }
  }

  private void acquire(AgentCommand command, Duration budget, long end) {
    boolean acquired;
    try {
      acquired = lock.tryLock(end - System.nanoTime(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentTimeoutException(
          command.name() + " on " + describe() + ": interrupted while waiting for the channel", e);
    }
    if (!acquired) {
      timeouts.incrementAndGet();
      throw failed(
          new AgentTimeoutException(
              command.name()
                  + " on "
                  + describe()
                  + ": the channel stayed busy with another"
                  + " command for the whole deadline of "
                  + human(budget)));
    }
  }

  private JsonNode executeLocked(AgentCommand command, Duration budget, long end) {
    try {
      return attempt(command, budget, end);
    } catch (AgentConnectionException e) {
      // A connection that broke during its very first sync met an agent still busy with the
      // previous client (qemu-ga then resets the newcomer): one fresh try, if time is left.
      if (!freshBreak) {
        throw e;
      }
      if (System.nanoTime() >= end) {
        scheduleRetry();
        throw e;
      }
      try {
        return attempt(command, budget, end);
      } catch (AgentConnectionException again) {
        if (freshBreak) {
          scheduleRetry();
        }
        throw again;
      }
    }
  }

  private JsonNode attempt(AgentCommand command, Duration budget, long end) {
    freshBreak = false;
    Wire w = connect(end);
    String step = "guest-sync-delimited";
    try {
      if (!synced) {
        long syncEnd = Math.min(end, System.nanoTime() + options.syncTimeout().toNanos());
        long id = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
        long before = w.staleLines();
        try {
          w.sync(id, syncEnd);
        } finally {
          stale.addAndGet(w.staleLines() - before);
        }
        synced = true;
        everSynced = true;
        syncs.incrementAndGet();
        resetBackoff();
      }
      step = command.name();
      if (!command.expectsSuccessReply()) {
        return withoutSuccessReply(w, command, end);
      }
      Reply reply = w.request(command, end);
      if (reply instanceof Reply.Error error) {
        throw AgentErrorException.of(command.name(), error.errorClass(), error.description());
      }
      return ((Reply.Return) reply).value();
    } catch (SocketTimeoutException e) {
      synced = false;
      timeouts.incrementAndGet();
      if (!w.transport().isOpen()) {
        drop(false); // a write overran and was cut: the next command needs a new connection
      }
      String what =
          step.equals("guest-sync-delimited")
              ? "agent not responding: no reply to guest-sync-delimited"
              : "no reply to " + step;
      throw failed(
          new AgentTimeoutException(
              what
                  + " on "
                  + describe()
                  + " within "
                  + human(
                      Duration.ofNanos(Math.max(0, System.nanoTime() - (end - budget.toNanos())))),
              e));
    } catch (AgentProtocolException e) {
      protocolErrors.incrementAndGet();
      drop(false);
      throw failed(
          new AgentProtocolException(step + " on " + describe() + ": " + e.getMessage(), e));
    } catch (IOException e) {
      connectionErrors.incrementAndGet();
      freshBreak = !everSynced;
      drop(false);
      String why = e instanceof EOFException ? "the agent closed the channel" : e.toString();
      throw failed(new AgentConnectionException(step + " on " + describe() + ": " + why, e));
    }
  }

  /** PROTOCOL.md: no reply before the deadline, or EOF, is success; resync afterwards. */
  private JsonNode withoutSuccessReply(Wire w, AgentCommand command, long end) throws IOException {
    w.send(command, end);
    try {
      Reply reply = ReplyCodec.parse(w.readLine(end));
      if (reply instanceof Reply.Error error) {
        throw AgentErrorException.of(command.name(), error.errorClass(), error.description());
      }
      return ((Reply.Return) reply).value();
    } catch (SocketTimeoutException e) {
      synced = false;
    } catch (EOFException e) {
      drop(false);
    }
    return JsonNodeFactory.instance.objectNode();
  }

  private Wire connect(long end) {
    if (wire != null) {
      return wire;
    }
    long now = System.nanoTime();
    if (failures > 0 && now < retryAt) {
      throw new AgentConnectionException(
          "not connected to "
              + describe()
              + " ("
              + lastError
              + "); next attempt in "
              + human(Duration.ofNanos(retryAt - now)));
    }
    long left = end - now;
    if (left <= 0) {
      timeouts.incrementAndGet();
      throw failed(new AgentTimeoutException("deadline passed before connecting to " + describe()));
    }
    Duration timeout = Duration.ofNanos(Math.min(left, options.connectTimeout().toNanos()));
    try {
      Transport t = options.transports().connect(address, timeout);
      connects.incrementAndGet();
      open = t;
      wire = new Wire(t, options.maxReplyBytes());
      synced = false;
      everSynced = false;
      return wire;
    } catch (SocketTimeoutException e) {
      connectionErrors.incrementAndGet();
      scheduleRetry();
      throw failed(new AgentTimeoutException("connect to " + describe() + " timed out", e));
    } catch (IOException | RuntimeException e) {
      connectionErrors.incrementAndGet();
      scheduleRetry();
      throw failed(
          new AgentConnectionException(
              "cannot connect to " + describe() + ": " + e.getMessage(), e));
    }
  }

  /** Drops the connection; {@code failure} counts it towards the backoff. */
  private void drop(boolean failure) {
    Transport t = open;
    open = null;
    wire = null;
    synced = false;
    if (t != null) {
      t.close();
    }
    if (failure) {
      scheduleRetry();
    }
  }

  private void scheduleRetry() {
    failures++;
    long min = options.minBackoff().toNanos();
    long max = options.maxBackoff().toNanos();
    long delay = min;
    for (int i = 1; i < failures && delay < max; i++) {
      delay *= 2;
    }
    delay = Math.min(delay, max);
    backoff = Duration.ofNanos(delay);
    publishedBackoff = backoff;
    retryAt = System.nanoTime() + delay;
  }

  private void resetBackoff() {
    failures = 0;
    backoff = Duration.ZERO;
    publishedBackoff = Duration.ZERO;
  }

  private <E extends RuntimeException> E failed(E e) {
    lastError = e.getMessage();
    lastErrorAt = Instant.now();
    return e;
  }

  /**
   * Closes the connection; a command in flight on another thread fails with {@link
   * AgentConnectionException}. A later {@link #execute} reconnects at once.
   */
  @Override
  public void close() {
    Transport t = open;
    if (t != null) {
      t.close();
    }
    if (lock.tryLock()) {
      try {
        open = null;
        wire = null;
        synced = false;
        failures = 0;
        publishedBackoff = Duration.ZERO;
      } finally {
        lock.unlock();
      }
    }
  }

  static String human(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}
