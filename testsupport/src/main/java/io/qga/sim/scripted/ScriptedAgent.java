package io.qga.sim.scripted;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qga.sim.AgentServer;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fake guest agent on a real unix socket with libvirt-test-style expectations:
 *
 * <pre>{@code
 * try (ScriptedAgent agent = ScriptedAgent.start(dir.resolve("a.sock"))) {
 *   agent.expect("guest-fsfreeze-thaw", "{\"return\": 5}");
 *   ... drive a client against agent.socket() ...
 *   agent.verify();
 * }
 * }</pre>
 *
 * <p>Sync requests ({@code guest-sync-delimited}, {@code guest-sync}) are always answered correctly
 * (unless {@link #neverAnswer()}), as the real agent does, and are not recorded. Any other command
 * is answered, in this order, by: the next expectation if it names this command (consumed, with its
 * {@link Behaviour}); a standing {@link #answer}; the fixture of the {@link #flavour} ({@code
 * io/qga/sim/fixtures/<flavour>/<command>.json}); a mismatch error if expectations are pending
 * (reported by {@link #verify()}); else {@code CommandNotFound}, as the real agent answers unknown
 * commands.
 *
 * <p>Like the real agent, a reply that could not be delivered because the client left is delivered
 * to the next client. One client is served at a time.
 */
public final class ScriptedAgent implements Closeable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the agent does with a reply. */
  public sealed interface Behaviour
      permits Behaviour.Normal, Behaviour.Silent, Behaviour.Slow, Behaviour.CloseMidReply {
    /** Sends the reply at once. */
    record Normal() implements Behaviour {}

    /** Never answers (the request is swallowed). */
    record Silent() implements Behaviour {}

    /** Answers after {@code delay}; holds up every later request meanwhile, like qemu-ga. */
    record Slow(Duration delay) implements Behaviour {
      public Slow {
        Objects.requireNonNull(delay, "delay");
      }
    }

    /** Sends the first half of the reply, then closes the connection. */
    record CloseMidReply() implements Behaviour {}
  }

  public static Behaviour normal() {
    return new Behaviour.Normal();
  }

  public static Behaviour silent() {
    return new Behaviour.Silent();
  }

  public static Behaviour slow(Duration delay) {
    return new Behaviour.Slow(delay);
  }

  public static Behaviour closeMidReply() {
    return new Behaviour.CloseMidReply();
  }

  private record Expectation(String command, byte[] reply, Behaviour behaviour) {}

  private final Deque<Expectation> expectations = new ArrayDeque<>();
  private final Map<String, byte[]> answers = new ConcurrentHashMap<>();
  private final List<JsonNode> requests = new ArrayList<>();
  private final List<String> mismatches = new ArrayList<>();
  private final Deque<byte[]> staleOnConnect = new ArrayDeque<>();
  private final Deque<byte[]> undelivered = new ArrayDeque<>();
  private volatile String flavour;
  private volatile boolean neverAnswer;
  private volatile boolean closed;
  private final AgentServer server;

  private ScriptedAgent(Path socket) throws IOException {
    this.server = AgentServer.start(socket, new Script());
  }

  /** Binds {@code socket} and starts serving. */
  public static ScriptedAgent start(Path socket) throws IOException {
    return new ScriptedAgent(socket);
  }

  public Path socket() {
    return server.socket();
  }

  /** How many clients connected so far. */
  public int connections() {
    return server.connectionsAccepted();
  }

  /** Expects {@code command} next and answers it with {@code reply} (one JSON line). */
  public ScriptedAgent expect(String command, String reply) {
    return expect(command, reply, normal());
  }

  /** Expects {@code command} next and answers it with {@code reply} as {@code behaviour} says. */
  public ScriptedAgent expect(String command, String reply, Behaviour behaviour) {
    return expectRaw(command, line(reply), behaviour);
  }

  /** Expects {@code command} next and answers it with exactly these bytes (hostile replies). */
  public ScriptedAgent expectRaw(String command, byte[] bytes, Behaviour behaviour) {
    Objects.requireNonNull(behaviour, "behaviour");
    synchronized (this) {
      expectations.add(new Expectation(command, bytes.clone(), behaviour));
    }
    return this;
  }

  /** Answers {@code command} with {@code reply} every time (unless an expectation comes first). */
  public ScriptedAgent answer(String command, String reply) {
    answers.put(command, line(reply));
    return this;
  }

  /** Answers from the fixtures of {@code flavour} ({@code linux-7.2}, {@code windows}, ...). */
  public ScriptedAgent flavour(String flavour) {
    if (fixture(flavour, "guest-info") == null) {
      throw new IllegalArgumentException("no fixtures for flavour " + flavour);
    }
    this.flavour = flavour;
    return this;
  }

  /** Accepts connections and never answers anything, sync included (a guest without agent). */
  public ScriptedAgent neverAnswer() {
    this.neverAnswer = true;
    return this;
  }

  /**
   * Queues lines the next client receives as soon as it connects, before anything it asks: replies
   * to requests of an earlier client.
   */
  public ScriptedAgent staleOnConnect(String... lines) {
    synchronized (this) {
      for (String l : lines) {
        staleOnConnect.add(line(l));
      }
    }
    return this;
  }

  /** Queues {@code n} stale {@code {"return": {}}} lines (a ping loop that timed out). */
  public ScriptedAgent staleOnConnect(int n) {
    for (int i = 0; i < n; i++) {
      staleOnConnect("{\"return\": {}}");
    }
    return this;
  }

  /** Every request received except syncs, in order. */
  public synchronized List<JsonNode> requests() {
    return List.copyOf(requests);
  }

  /** The names of {@link #requests()}. */
  public synchronized List<String> commands() {
    return requests.stream().map(r -> r.path("execute").asText()).toList();
  }

  /**
   * @throws AssertionError when expectations are left or a command came out of order
   */
  public synchronized void verify() {
    List<String> problems = new ArrayList<>(mismatches);
    for (Expectation e : expectations) {
      problems.add("expected " + e.command() + " but it never came");
    }
    if (!problems.isEmpty()) {
      throw new AssertionError("scripted agent " + socket() + ": " + String.join("; ", problems));
    }
  }

  @Override
  public void close() {
    closed = true;
    server.close();
  }

  private static byte[] line(String reply) {
    String compact;
    try {
      compact = JSON.writeValueAsString(JSON.readTree(reply));
    } catch (IOException e) {
      throw new IllegalArgumentException("reply is not JSON: " + reply, e);
    }
    return (compact + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** The fixture reply as one line, or null when the flavour has no file for the command. */
  static byte[] fixture(String flavour, String command) {
    if (!command.matches("[a-z0-9-]+") || !flavour.matches("[a-z0-9.-]+")) {
      return null;
    }
    String resource = "/io/qga/sim/fixtures/" + flavour + "/" + command + ".json";
    try (InputStream in = ScriptedAgent.class.getResourceAsStream(resource)) {
      if (in == null) {
        return null;
      }
      return (JSON.writeValueAsString(JSON.readTree(in)) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read fixture " + resource, e);
    }
  }

  private static byte[] error(String errorClass, String desc) {
    try {
      var root = JSON.createObjectNode();
      root.putObject("error").put("class", errorClass).put("desc", desc);
      return (JSON.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private final class Script implements AgentServer.Handler {
    @Override
    public void onConnect(AgentServer.Connection connection) throws IOException {
      List<byte[]> first = new ArrayList<>();
      synchronized (ScriptedAgent.this) {
        first.addAll(undelivered);
        undelivered.clear();
        first.addAll(staleOnConnect);
        staleOnConnect.clear();
      }
      for (byte[] b : first) {
        connection.sendRaw(b);
      }
      connection.flushPending();
    }

    @Override
    public void onSentinel(AgentServer.Connection connection) throws IOException {
      if (!neverAnswer) {
        AgentServer.Handler.super.onSentinel(connection);
      }
    }

    @Override
    public void onRequest(JsonNode request, AgentServer.Connection connection) throws IOException {
      if (neverAnswer) {
        return;
      }
      if (request == null || !request.path("execute").isTextual()) {
        connection.sendRaw(error("GenericError", "Invalid JSON syntax"));
        return;
      }
      String command = request.get("execute").asText();
      JsonNode id = request.path("arguments").path("id");
      if (command.equals("guest-sync-delimited")) {
        connection.sendSync(id);
        return;
      }
      if (command.equals("guest-sync")) {
        connection.send("{\"return\": " + id + "}");
        return;
      }
      Expectation expectation = null;
      byte[] reply;
      synchronized (ScriptedAgent.this) {
        requests.add(request);
        Expectation head = expectations.peek();
        if (head != null && head.command().equals(command)) {
          expectation = expectations.poll();
          reply = expectation.reply();
        } else if (answers.containsKey(command)) {
          reply = answers.get(command);
        } else if (flavour != null && (reply = fixture(flavour, command)) != null) {
          // answered from the fixture
        } else if (head != null) {
          mismatches.add("expected " + head.command() + ", got " + command);
          reply =
              error(
                  "GenericError", "scripted agent expected " + head.command() + ", got " + command);
        } else {
          reply = error("CommandNotFound", "The command " + command + " has not been found");
        }
      }
      Behaviour behaviour = expectation == null ? normal() : expectation.behaviour();
      deliver(reply, behaviour, connection);
    }

    private void deliver(byte[] reply, Behaviour behaviour, AgentServer.Connection connection)
        throws IOException {
      if (behaviour instanceof Behaviour.Silent) {
        return;
      }
      if (behaviour instanceof Behaviour.CloseMidReply) {
        connection.sendRaw(java.util.Arrays.copyOf(reply, Math.max(1, reply.length / 2)));
        connection.close();
        return;
      }
      if (behaviour instanceof Behaviour.Slow slow) {
        long end = System.nanoTime() + slow.delay().toNanos();
        while (!closed && System.nanoTime() < end) {
          try {
            Thread.sleep(Math.max(1, Math.min(20, (end - System.nanoTime()) / 1_000_000)));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
      if (connection.isClosed()) {
        keepForNextClient(reply);
        return;
      }
      try {
        connection.sendRaw(reply);
      } catch (IOException e) {
        keepForNextClient(reply);
      }
    }

    private void keepForNextClient(byte[] reply) {
      synchronized (ScriptedAgent.this) {
        undelivered.add(reply);
      }
    }
  }
}
