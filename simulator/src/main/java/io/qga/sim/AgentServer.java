package io.qga.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A guest agent's side of a channel on a real unix socket, as qemu-ga in {@code unix-listen} mode:
 * accepts one client at a time (like a virtio-serial port; a second client waits in the backlog),
 * splits the byte stream into JSON objects by brace depth, answers a raw {@code 0xFF} with a parse
 * error as the real agent does, and hands every request to a {@link Handler}.
 *
 * <p>What the handler does with a request (answer, stay silent, answer slowly, trickle bytes,
 * close) is the behaviour under test. Replies the handler queued for a client that went away are
 * delivered to the next client if the handler uses {@link Connection#sendLater}.
 */
public final class AgentServer implements Closeable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Requests larger than this are answered with an error and dropped, as the agent caps them. */
  static final int MAX_REQUEST = 4 << 20; // a 1 MiB guest-file-write chunk is 1.4 MiB of base64

  /** Decides what the agent does with each request. Called on the connection's thread. */
  public interface Handler {
    /** A complete JSON request; {@code request} is null when it was not valid JSON. */
    void onRequest(JsonNode request, Connection connection) throws IOException;

    /** The client sent a raw 0xFF; qemu-ga answers with a JSON parse error line. */
    default void onSentinel(Connection connection) throws IOException {
      connection.send(
          "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, invalid"
              + " UTF-8 sequence\"}}");
    }

    /** Called when a client connects, before any request (e.g. to flush stale replies). */
    default void onConnect(Connection connection) throws IOException {}
  }

  private final Path socket;
  private final AFUNIXServerSocket server;
  private final Handler handler;
  private final Thread acceptor;
  private final AtomicInteger accepted = new AtomicInteger();
  private final Set<Connection> open = ConcurrentHashMap.newKeySet();
  private final java.util.Queue<String> pending =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private volatile boolean closed;

  private AgentServer(Path socket, Handler handler) throws IOException {
    this.socket = socket;
    this.handler = handler;
    Files.deleteIfExists(socket);
    this.server = AFUNIXServerSocket.newInstance();
    server.bind(AFUNIXSocketAddress.of(socket), 50);
    // A small stack: a fleet runs a thousand of these threads, each blocked in accept or read.
    this.acceptor =
        new Thread(null, this::acceptLoop, "agent-server " + socket.getFileName(), 256 * 1024);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Binds {@code socket} (replacing a stale file) and starts serving. */
  public static AgentServer start(Path socket, Handler handler) throws IOException {
    return new AgentServer(socket, handler);
  }

  public Path socket() {
    return socket;
  }

  /** True until {@link #close()}. */
  public boolean isOpen() {
    return !closed;
  }

  /** How many clients connected so far. */
  public int connectionsAccepted() {
    return accepted.get();
  }

  private void acceptLoop() {
    while (!closed) {
      AFUNIXSocket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      accepted.incrementAndGet();
      Connection c = new Connection(client);
      open.add(c);
      // One client at a time, like a virtio-serial port: serve it on this thread.
      try {
        c.serve();
      } finally {
        open.remove(c);
        c.close();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    // The socket file goes before the connections drop: a client that sees its connection end
    // finds no socket to reconnect to, as when QEMU exits.
    try {
      Files.deleteIfExists(socket);
    } catch (IOException ignored) {
      // best effort
    }
    open.forEach(Connection::close);
    // A handler may close its own server (a simulated guest powering off): never wait on or
    // interrupt the calling thread itself. Otherwise interrupt wakes a handler that sleeps
    // (slow or trickling agents) so close() returns promptly.
    if (Thread.currentThread() != acceptor) {
      acceptor.interrupt();
      try {
        acceptor.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** One connected client. */
  public final class Connection {
    private final AFUNIXSocket client;
    private final OutputStream out;

    Connection(AFUNIXSocket client) {
      this.client = client;
      OutputStream o;
      try {
        o = client.getOutputStream();
      } catch (IOException e) {
        o = OutputStream.nullOutputStream();
      }
      this.out = o;
    }

    /** Writes {@code line} and a newline. */
    public void send(String line) throws IOException {
      sendRaw((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Writes bytes exactly as given (for hostile behaviours: no newline, 0xFF floods, ...). */
    public synchronized void sendRaw(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    /** The sync reply: a 0xFF byte, then {@code {"return": id}}. */
    public void sendSync(JsonNode id) throws IOException {
      byte[] body = ("{\"return\": " + id + "}\n").getBytes(StandardCharsets.UTF_8);
      byte[] all = new byte[body.length + 1];
      all[0] = (byte) 0xFF;
      System.arraycopy(body, 0, all, 1, body.length);
      sendRaw(all);
    }

    /** Queues a reply for the next client (the agent answers requests of a client that left). */
    public void sendLater(String line) {
      pending.add(line);
    }

    /** Delivers queued replies of earlier clients; handlers call this from onConnect. */
    public void flushPending() throws IOException {
      String line;
      while ((line = pending.poll()) != null) {
        send(line);
      }
    }

    public void close() {
      try {
        client.close();
      } catch (IOException ignored) {
        // already gone
      }
    }

    public boolean isClosed() {
      return client.isClosed();
    }

    void serve() {
      try (InputStream in = client.getInputStream()) {
        handler.onConnect(this);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        byte[] buf = new byte[8192];
        int n;
        while (!closed && (n = in.read(buf)) >= 0) {
          for (int i = 0; i < n; i++) {
            int b = buf[i] & 0xFF;
            if (b == 0xFF) {
              request.reset();
              depth = 0;
              inString = false;
              escaped = false;
              handler.onSentinel(this);
              continue;
            }
            if (depth == 0 && b != '{' && !inString) {
              if (b == '[' || Character.isLetterOrDigit(b)) {
                // not an object at top level: the agent answers with an error
                send(
                    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid JSON"
                        + " syntax\"}}");
              }
              continue;
            }
            request.write(b);
            if (request.size() > MAX_REQUEST) {
              request.reset();
              depth = 0;
              send(
                  "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON token too large\"}}");
              continue;
            }
            if (inString) {
              if (escaped) {
                escaped = false;
              } else if (b == '\\') {
                escaped = true;
              } else if (b == '"') {
                inString = false;
              }
            } else if (b == '"') {
              inString = true;
            } else if (b == '{' || b == '[') {
              depth++;
            } else if (b == '}' || b == ']') {
              depth--;
              if (depth == 0) {
                JsonNode parsed;
                try {
                  parsed = JSON.readTree(request.toByteArray());
                } catch (IOException e) {
                  parsed = null;
                }
                request.reset();
                handler.onRequest(parsed, this);
              }
            }
          }
        }
      } catch (SocketException e) {
        // client went away
      } catch (IOException e) {
        // client went away mid-write
      }
    }
  }
}
