package io.qga.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.qga.client.protocol.Reply;
import io.qga.client.protocol.ReplyCodec;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What event-driven I/O in Java costs: the native floor's loop ({@code bench/floor/floor.c}, the
 * same plan and state machine) on one Java thread with a JDK {@link Selector} over JDK unix socket
 * channels (Java 16+, no junixsocket), each reply parsed by the project's {@link ReplyCodec} (a
 * Jackson tree, as the exporter parses it). {@code NioFloor PLAN AGENT_DIR SECONDS TIMEOUT_MS};
 * prints {@code nio-floor domains=N sent=S replies=R}.
 */
public final class NioFloor {
  private static final int INFO = -1;
  private static final int PING = -2;
  private static final byte[] PING_REQUEST =
      "{\"execute\":\"guest-ping\"}\n".getBytes(StandardCharsets.US_ASCII);

  private enum State {
    IDLE,
    SYNC_FF,
    SYNC_LINE,
    REPLY,
    DOWN
  }

  private record Collector(long interval, int[] commands) {}

  private static final class Conn {
    final Path path;
    final int index;
    SocketChannel channel;
    SelectionKey key;
    State state = State.DOWN;
    boolean synced;
    boolean pollAll = true;
    int failures;
    long syncId;
    long caps;
    long infoAt = -1;
    long deadline;
    long wake;
    int current;
    final int[] queue = new int[64];
    int qh;
    int qn;
    byte[] line = new byte[0]; // a reply spanning reads
    int len;
    long[] due;

    Conn(Path path, int index) {
      this.path = path;
      this.index = index;
    }
  }

  private final List<String> names = new ArrayList<>();
  private final List<byte[]> requests = new ArrayList<>();
  private final List<Collector> collectors = new ArrayList<>();
  private long infoRefresh = 300_000;
  private long probeInitial = 1000;
  private long probeCap = 15_000;
  private long timeout = 5000;
  private final Selector selector;
  private final ByteBuffer read = ByteBuffer.allocateDirect(65536);
  private final byte[] chunk = new byte[65536];
  private long[] heap = new long[1024]; // (wake - start) << 20 | index; stale entries skipped
  private int heapSize;
  private final long start = System.currentTimeMillis();
  private Conn[] conns;
  private long sent;
  private long replies;

  private NioFloor() throws IOException {
    selector = Selector.open();
  }

  public static void main(String[] args) throws Exception {
    NioFloor f = new NioFloor();
    f.readPlan(Path.of(args[0]));
    f.timeout = Long.parseLong(args[3]);
    List<Path> sockets = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of(args[1]), "*.sock")) {
      files.forEach(sockets::add);
    }
    sockets.sort(null);
    f.conns = new Conn[sockets.size()];
    for (int i = 0; i < f.conns.length; i++) {
      Conn c = new Conn(sockets.get(i), i);
      c.due = new long[f.collectors.size()];
      for (int k = 0; k < c.due.length; k++) {
        c.due[k] = f.start + ThreadLocalRandom.current().nextLong(f.collectors.get(k).interval());
      }
      f.conns[i] = c;
      f.setWake(c, f.start);
    }
    f.loop(f.start + Long.parseLong(args[2]) * 1000);
    System.out.println(
        "nio-floor domains=" + f.conns.length + " sent=" + f.sent + " replies=" + f.replies);
  }

  private void readPlan(Path plan) throws IOException {
    command("guest-info");
    for (String line : Files.readAllLines(plan)) {
      String[] t = line.trim().split("\\s+");
      switch (t[0]) {
        case "info" -> infoRefresh = Long.parseLong(t[1]);
        case "probe" -> {
          probeInitial = Long.parseLong(t[1]);
          probeCap = Long.parseLong(t[2]);
        }
        case "collector" -> {
          int[] cmds = new int[t.length - 3];
          for (int i = 3; i < t.length; i++) {
            cmds[i - 3] = command(t[i]);
          }
          collectors.add(new Collector(Long.parseLong(t[2]), cmds));
        }
        default -> {}
      }
    }
  }

  private int command(String name) {
    int i = names.indexOf(name);
    if (i >= 0) {
      return i;
    }
    names.add(name);
    requests.add(("{\"execute\":\"" + name + "\"}\n").getBytes(StandardCharsets.US_ASCII));
    return names.size() - 1;
  }

  private void loop(long end) throws IOException {
    long now = System.currentTimeMillis();
    while (now < end) {
      long wait = heapSize > 0 ? Math.max(1, start + (heap[0] >>> 20) - now) : 1000;
      selector.select(Math.min(wait, end - now));
      now = System.currentTimeMillis();
      for (SelectionKey k : selector.selectedKeys()) {
        Conn c = (Conn) k.attachment();
        if (c.channel != null && c.key == k) {
          readable(c, now);
        }
      }
      selector.selectedKeys().clear();
      while (heapSize > 0 && start + (heap[0] >>> 20) <= now) {
        long top = pop();
        Conn c = conns[(int) (top & 0xFFFFF)];
        if (c.wake != start + (top >>> 20)) {
          continue; // stale
        }
        c.wake = Long.MAX_VALUE;
        switch (c.state) {
          case SYNC_FF, SYNC_LINE, REPLY -> lost(c, now);
          case DOWN -> call(c, c.infoAt < 0 && c.failures == 0 ? INFO : PING, now);
          case IDLE -> {
            for (int k = 0; k < collectors.size(); k++) {
              if (c.due[k] <= now) {
                while (c.due[k] <= now) {
                  c.due[k] += collectors.get(k).interval();
                }
                enqueueCollector(c, k);
              }
            }
            if (c.qn > 0 && now >= c.infoAt + infoRefresh) {
              c.qh = (c.qh + 63) % 64;
              c.queue[c.qh] = INFO;
              c.qn++;
            }
            next(c, now);
          }
        }
      }
    }
  }

  private void enqueueCollector(Conn c, int k) {
    int[] cmds = collectors.get(k).commands();
    if ((c.caps >> cmds[0] & 1) == 0) {
      return;
    }
    for (int cmd : cmds) {
      if (cmd != 0 && (c.caps >> cmd & 1) != 0 && c.qn < 64) {
        c.queue[(c.qh + c.qn++) % 64] = cmd;
      }
    }
  }

  private void next(Conn c, long now) {
    if (c.qn > 0) {
      int item = c.queue[c.qh];
      c.qh = (c.qh + 1) % 64;
      c.qn--;
      call(c, item, now);
      return;
    }
    c.state = State.IDLE;
    long due = Long.MAX_VALUE;
    for (long d : c.due) {
      due = Math.min(due, d);
    }
    setWake(c, due);
  }

  private void call(Conn c, int item, long now) {
    c.current = item;
    c.deadline = now + timeout;
    try {
      if (c.channel == null) {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.channel = ch;
        ch.connect(UnixDomainSocketAddress.of(c.path));
        ch.configureBlocking(false);
        c.key = ch.register(selector, SelectionKey.OP_READ, c);
        c.synced = false;
      }
      if (!c.synced) {
        c.syncId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
        write(c, ReplyCodec.syncRequest(c.syncId));
        c.state = State.SYNC_FF;
      } else {
        request(c);
      }
      c.len = 0;
      setWake(c, c.deadline);
    } catch (IOException e) {
      lost(c, now);
    }
  }

  private void request(Conn c) throws IOException {
    write(c, c.current == PING ? PING_REQUEST : requests.get(c.current == INFO ? 0 : c.current));
    c.state = State.REPLY;
  }

  private void write(Conn c, byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    c.channel.write(b);
    if (b.hasRemaining()) {
      throw new IOException("socket buffer full");
    }
    sent++;
  }

  private void lost(Conn c, long now) {
    if (c.channel != null) {
      try {
        c.channel.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      c.channel = null;
      c.key = null;
    }
    c.synced = false;
    c.failures++;
    c.qn = 0;
    c.len = 0;
    c.state = State.DOWN;
    long delay = probeInitial;
    for (int i = 1; i < c.failures && delay < probeCap; i++) {
      delay *= 2;
    }
    setWake(c, now + Math.min(delay, probeCap));
  }

  private void readable(Conn c, long now) {
    int n;
    try {
      read.clear();
      n = c.channel.read(read);
    } catch (IOException e) {
      n = -1;
    }
    if (n < 0) {
      lost(c, now);
      return;
    }
    read.flip();
    read.get(chunk, 0, n);
    int from = 0;
    for (int i = 0; i < n && c.channel != null; i++) {
      byte b = chunk[i];
      if (c.state == State.SYNC_FF) {
        if (b == (byte) 0xFF) {
          c.state = State.SYNC_LINE;
          c.len = 0;
          from = i + 1;
        }
      } else if ((c.state == State.SYNC_LINE || c.state == State.REPLY) && b == '\n') {
        byte[] buf = chunk;
        int off = from;
        int length = i - from;
        if (c.len > 0) { // the line began in an earlier read
          keep(c, chunk, from, i - from);
          buf = c.line;
          off = 0;
          length = c.len;
        }
        c.len = 0;
        from = i + 1;
        line(c, buf, off, length, now);
      }
    }
    if (c.channel != null && (c.state == State.SYNC_LINE || c.state == State.REPLY) && from < n) {
      keep(c, chunk, from, n - from);
    }
  }

  private static void keep(Conn c, byte[] b, int off, int length) {
    if (c.len + length > c.line.length) {
      c.line = Arrays.copyOf(c.line, Math.max(c.line.length * 2, c.len + length));
    }
    System.arraycopy(b, off, c.line, c.len, length);
    c.len += length;
  }

  private void line(Conn c, byte[] buf, int off, int length, long now) {
    Reply reply;
    try {
      reply = ReplyCodec.parse(buf, off, length);
    } catch (RuntimeException e) {
      reply = null; // a stale or broken line
    }
    if (c.state == State.SYNC_LINE) {
      if (reply instanceof Reply.Return r && r.isSync(c.syncId)) {
        c.synced = true;
        try {
          request(c);
        } catch (IOException e) {
          lost(c, now);
        }
      }
      return;
    }
    replies++;
    if (c.current == INFO) {
      c.caps = reply instanceof Reply.Return r ? caps(r.value()) : -1L;
      c.infoAt = now;
      c.failures = 0;
      if (c.pollAll) {
        c.pollAll = false;
        for (int k = 0; k < collectors.size(); k++) {
          enqueueCollector(c, k);
        }
      }
    } else if (c.current == PING) {
      c.pollAll = true;
      c.queue[(c.qh + c.qn++) % 64] = INFO;
    }
    next(c, now);
  }

  private long caps(JsonNode info) {
    long caps = 1;
    for (JsonNode cmd : info.path("supported_commands")) {
      int i = names.indexOf(cmd.path("name").asText());
      if (i >= 0 && cmd.path("enabled").asBoolean()) {
        caps |= 1L << i;
      }
    }
    return caps;
  }

  // --- a min-heap of longs ---------------------------------------------------------------------

  private void setWake(Conn c, long when) {
    c.wake = when;
    if (heapSize == heap.length) {
      heap = Arrays.copyOf(heap, heapSize * 2);
    }
    int i = heapSize++;
    heap[i] = (when - start) << 20 | c.index;
    while (i > 0 && heap[(i - 1) / 2] > heap[i]) {
      long t = heap[i];
      heap[i] = heap[(i - 1) / 2];
      heap[(i - 1) / 2] = t;
      i = (i - 1) / 2;
    }
  }

  private long pop() {
    long top = heap[0];
    heap[0] = heap[--heapSize];
    int i = 0;
    while (true) {
      int l = 2 * i + 1;
      int r = l + 1;
      int m = i;
      if (l < heapSize && heap[l] < heap[m]) {
        m = l;
      }
      if (r < heapSize && heap[r] < heap[m]) {
        m = r;
      }
      if (m == i) {
        return top;
      }
      long t = heap[i];
      heap[i] = heap[m];
      heap[m] = t;
      i = m;
    }
  }
}
