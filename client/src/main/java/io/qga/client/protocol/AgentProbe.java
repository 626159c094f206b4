package io.qga.client.protocol;

import io.qga.client.AgentCommand;
import io.qga.client.AgentErrorException;
import io.qga.client.AgentProtocolException;
import io.qga.client.AgentUnsupportedException;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Asks agents on unix sockets whether they answer, without a thread per agent: one thread, a
 * selector over JDK unix socket channels (Java 16+), and a heap of deadlines. A probe is what
 * {@link AgentSession} does on a new connection followed by {@code guest-ping}: connect, {@code
 * 0xFF} + {@code guest-sync-delimited} with a fresh random id (everything up to the agent's {@code
 * 0xFF} discarded, then lines up to exactly {@code {"return": id}}), then {@code guest-ping} and
 * its reply; then the connection is closed. An agent that never answers costs a registered channel
 * and a heap entry until its deadline, not a thread.
 *
 * <p>The poller probes agents it believes down this way: hundreds of hung agents would otherwise
 * hold a poll thread each for a whole sync timeout on every probe.
 */
public final class AgentProbe implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(AgentProbe.class.getName());
  private static final AgentCommand PING = AgentCommand.of("guest-ping");

  /**
   * The outcome of one probe.
   *
   * @param answered the agent synced and answered the ping (a refusal of a blocked ping counts)
   * @param timedOut not answered because a deadline passed (otherwise: the connection failed or
   *     broke, or the agent sent something wrong)
   * @param error why not, for logs and the domain's last error; null when answered
   */
  public record Result(boolean answered, boolean timedOut, String error) {
    static Result failed(String error) {
      return new Result(false, false, error);
    }
  }

  /**
   * Where and how to probe one agent (from {@link AgentSession#probeTarget()}).
   *
   * @param socket the agent's unix socket
   * @param syncTimeout no sync reply within this means "agent not responding"
   * @param maxReplyBytes longest reply line accepted
   */
  public record Target(Path socket, Duration syncTimeout, int maxReplyBytes) {
    public Target {
      Objects.requireNonNull(socket, "socket");
      Objects.requireNonNull(syncTimeout, "syncTimeout");
    }
  }

  private final Selector selector;
  private final Thread thread;
  private final Queue<Probe> submitted = new ArrayDeque<>(); // guarded by itself
  private final PriorityQueue<Probe> deadlines =
      new PriorityQueue<>((a, b) -> Long.compare(a.due, b.due));
  private volatile boolean closed;

  /** Starts the probe thread. */
  public AgentProbe() throws IOException {
    this.selector = Selector.open();
    this.thread = new Thread(this::loop, "qga-agent-probe");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Probes the agent; {@code done} runs on the probe thread (keep it short: hand work on). Never
   * blocks.
   *
   * @param timeout the whole probe: connect, sync and ping
   */
  public void probe(Target target, Duration timeout, Consumer<Result> done) {
    start(target, true, timeout, done);
  }

  /**
   * As {@link #probe}, without the ping: the agent answers when it syncs. The first contact with a
   * new domain, which then asks guest-info on its own connection.
   */
  public void sync(Target target, Duration timeout, Consumer<Result> done) {
    start(target, false, timeout, done);
  }

  private void start(Target target, boolean ping, Duration timeout, Consumer<Result> done) {
    Objects.requireNonNull(done, "done");
    long now = System.nanoTime();
    Probe p = new Probe(target, done, now, now + timeout.toNanos());
    p.ping = ping;
    p.due = now + Math.min(target.syncTimeout().toNanos(), timeout.toNanos());
    synchronized (submitted) {
      if (closed) {
        done.accept(Result.failed("the probe thread is stopped"));
        return;
      }
      submitted.add(p);
    }
    selector.wakeup();
  }

  /** Probes in progress (for tests). */
  int inProgress() {
    return deadlines.size();
  }

  @Override
  public void close() {
    synchronized (submitted) {
      closed = true;
    }
    selector.wakeup();
    try {
      thread.join(Duration.ofSeconds(5).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private enum Step {
    CONNECT,
    SYNC,
    PING
  }

  /** One probe: its channel, where it is, its deadline. Confined to the probe thread. */
  private final class Probe {
    final Path socket;
    final Consumer<Result> done;
    final long started;
    final long deadline;
    final long id = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    final LineFramer framer;
    boolean ping;

    /** The deadline of the step in progress: the sync's, then the whole probe's. */
    long due;

    SocketChannel channel;
    SelectionKey key;
    Step step = Step.CONNECT;
    ByteBuffer out;
    boolean sentinelSeen;
    boolean finished;

    Probe(Target target, Consumer<Result> done, long started, long deadline) {
      this.socket = target.socket();
      this.framer = new LineFramer(target.maxReplyBytes());
      this.done = done;
      this.started = started;
      this.deadline = deadline;
    }
  }

  private void loop() {
    ByteBuffer in = ByteBuffer.allocate(LineFramer.SCRATCH_BYTES);
    try {
      while (true) {
        synchronized (submitted) {
          if (closed) {
            break;
          }
          Probe p;
          while ((p = submitted.poll()) != null) {
            begin(p);
          }
        }
        Probe first = deadlines.peek();
        long wait = first == null ? 0 : first.due - System.nanoTime();
        if (first != null && wait <= 0) {
          selector.selectNow();
        } else {
          selector.select(first == null ? 0 : Math.max(1, (wait + 999_999) / 1_000_000));
        }
        for (SelectionKey k : selector.selectedKeys()) {
          Probe p = (Probe) k.attachment();
          if (k.isValid() && !p.finished) {
            ready(p, k, in);
          }
        }
        selector.selectedKeys().clear();
        expire();
      }
    } catch (IOException | ClosedSelectorException e) {
      LOG.log(Level.WARNING, "the agent probe thread failed", e);
    } finally {
      for (Probe p : deadlines.toArray(new Probe[0])) {
        finish(p, Result.failed("the probe thread stopped"));
      }
      synchronized (submitted) {
        closed = true;
        submitted.forEach(p -> p.done.accept(Result.failed("the probe thread stopped")));
        submitted.clear();
      }
      try {
        selector.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  private void begin(Probe p) {
    deadlines.add(p);
    try {
      p.channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      p.channel.configureBlocking(false);
      p.key = p.channel.register(selector, 0, p);
      if (p.channel.connect(UnixDomainSocketAddress.of(p.socket))) {
        connected(p);
      } else {
        p.key.interestOps(SelectionKey.OP_CONNECT);
      }
    } catch (IOException | RuntimeException e) {
      finish(p, Result.failed("cannot connect to " + p.socket + ": " + e.getMessage()));
    }
  }

  private void ready(Probe p, SelectionKey k, ByteBuffer in) {
    try {
      if (k.isConnectable()) {
        if (p.channel.finishConnect()) {
          connected(p);
        }
        return;
      }
      if (k.isWritable()) {
        flush(p);
      }
      if (k.isReadable()) {
        read(p, in);
      }
    } catch (EOFException e) {
      finish(p, Result.failed(command(p) + ": the agent closed the channel"));
    } catch (IOException e) {
      finish(p, Result.failed(command(p) + ": " + e));
    } catch (AgentProtocolException e) {
      finish(p, Result.failed(command(p) + ": " + e.getMessage()));
    }
  }

  private static String command(Probe p) {
    String step =
        switch (p.step) {
          case CONNECT -> "connect";
          case SYNC -> "guest-sync-delimited";
          case PING -> PING.name();
        };
    return step + " on " + p.socket;
  }

  private void connected(Probe p) throws IOException {
    p.step = Step.SYNC;
    send(p, ReplyCodec.syncRequest(p.id));
  }

  private void send(Probe p, byte[] bytes) throws IOException {
    p.out = ByteBuffer.wrap(bytes);
    flush(p);
  }

  /** Writes what the socket takes; waits for room (a peer not reading) until the deadline. */
  private void flush(Probe p) throws IOException {
    p.channel.write(p.out);
    p.key.interestOps(p.out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
  }

  private void read(Probe p, ByteBuffer in) throws IOException {
    in.clear();
    int n = p.channel.read(in);
    if (n < 0) {
      throw new EOFException();
    }
    p.framer.feed(in.array(), 0, n);
    if (p.step == Step.SYNC && !p.sentinelSeen) {
      p.sentinelSeen = p.framer.skipToSentinel();
      if (!p.sentinelSeen) {
        return;
      }
    }
    byte[] line;
    while (!p.finished && (line = p.framer.nextLine()) != null) {
      Reply reply;
      try {
        reply = ReplyCodec.parse(line);
      } catch (AgentProtocolException e) {
        if (p.step == Step.SYNC) {
          continue; // stale garbage before our sync reply
        }
        throw e;
      }
      if (p.step == Step.SYNC) {
        if (reply instanceof Reply.Return r && r.isSync(p.id) && !p.ping) {
          finish(p, new Result(true, false, null));
        } else if (reply instanceof Reply.Return r && r.isSync(p.id)) {
          p.step = Step.PING;
          deadlines.remove(p);
          p.due = p.deadline;
          deadlines.add(p);
          send(p, ReplyCodec.encode(PING));
        }
      } else if (reply instanceof Reply.Error error) {
        AgentErrorException e =
            AgentErrorException.of(PING.name(), error.errorClass(), error.description());
        // a blocked ping was answered all the same: the agent is back
        finish(p, new Result(e instanceof AgentUnsupportedException, false, e.getMessage()));
      } else {
        finish(p, new Result(true, false, null));
      }
    }
  }

  private void expire() {
    long now = System.nanoTime();
    Probe p;
    while ((p = deadlines.peek()) != null && p.due - now <= 0) {
      String what =
          switch (p.step) {
            case CONNECT -> "connect to " + p.socket + " timed out";
            case SYNC -> "agent not responding: no reply to guest-sync-delimited on " + p.socket;
            case PING -> "no reply to guest-ping on " + p.socket;
          };
      Duration elapsed = Duration.ofNanos(Math.max(0, now - p.started));
      finish(p, new Result(false, true, what + " within " + AgentSession.human(elapsed)));
    }
  }

  private void finish(Probe p, Result result) {
    if (p.finished) {
      return;
    }
    p.finished = true;
    deadlines.remove(p);
    if (p.channel != null) {
      try {
        p.channel.close(); // also cancels its key
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    try {
      p.done.accept(result.answered() ? new Result(true, false, null) : result);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "a probe's callback failed", e);
    }
  }
}
