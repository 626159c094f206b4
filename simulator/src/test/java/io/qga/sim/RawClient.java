package io.qga.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The smallest possible host side of the agent protocol, for testing the simulator without
 * qga-client: raw bytes out, bounded reads in, every read with a deadline.
 */
final class RawClient implements Closeable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final int READ_TIMEOUT_MS = 5000;

  private final AFUNIXSocket socket;
  private final InputStream in;
  private final OutputStream out;
  private long last8;

  private RawClient(AFUNIXSocket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(READ_TIMEOUT_MS);
    this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    this.out = socket.getOutputStream();
  }

  static RawClient connect(Path path) throws IOException {
    AFUNIXSocket socket = AFUNIXSocket.newInstance();
    socket.connect(AFUNIXSocketAddress.of(path));
    return new RawClient(socket);
  }

  void send(String json) throws IOException {
    out.write(json.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  void sendSentinel() throws IOException {
    out.write(0xFF);
    out.flush();
  }

  /** Sets how long one read may wait. */
  void timeout(Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
  }

  /** Bytes up to and including the next newline; fails beyond {@code max} bytes. */
  byte[] readLine(int max) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("EOF after " + line.size() + " bytes: " + line);
      }
      line.write(b);
      if (b == '\n') {
        return line.toByteArray();
      }
      if (line.size() > max) {
        throw new IOException("line longer than " + max + " bytes");
      }
    }
  }

  String readLine() throws IOException {
    return new String(readLine(1 << 20), StandardCharsets.UTF_8);
  }

  /** Sends one command and parses the one line that answers it. */
  JsonNode call(String json) throws IOException {
    send(json);
    return JSON.readTree(readLine());
  }

  /** The return value of {@code command} (without arguments); fails on an error reply. */
  JsonNode returnOf(String command) throws IOException {
    JsonNode reply = call("{\"execute\": \"" + command + "\"}");
    if (!reply.has("return")) {
      throw new AssertionError(command + " answered " + reply);
    }
    return reply.get("return");
  }

  /**
   * 0xFF, then guest-sync-delimited with a fresh id; discards up to the 0xFF the reply starts with
   * and checks the reply is exactly that id.
   */
  void sync() throws IOException {
    long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    sendSentinel();
    send("{\"execute\": \"guest-sync-delimited\", \"arguments\": {\"id\": " + id + "}}");
    int skipped = 0;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("EOF while syncing");
      }
      if (b == 0xFF) {
        break;
      }
      if (++skipped > 1 << 20) {
        throw new IOException("no 0xFF in the first MiB");
      }
    }
    String line = readLine();
    if (!line.equals("{\"return\": " + id + "}\n")) {
      throw new IOException("sync answered " + line);
    }
  }

  /**
   * Consumes one line without keeping it: its length (newline included), or -1 if more than {@code
   * max} bytes came without a newline. {@link #lastBytes} holds its last eight bytes.
   */
  long skipLine(long max) throws IOException {
    long n = 0;
    while (n <= max) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("EOF after " + n + " bytes");
      }
      n++;
      last8 = (last8 << 8) | b;
      if (b == '\n') {
        return n;
      }
    }
    return -1;
  }

  /** The last eight bytes {@link #skipLine} consumed, oldest first, as ASCII. */
  String lastBytes() {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (last8 >>> (56 - 8 * i));
    }
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  /** Reads exactly {@code n} bytes (or fails at EOF or timeout). */
  byte[] readExactly(int n) throws IOException {
    return in.readNBytes(n);
  }

  /** Whatever arrives within {@code wait}, at most {@code max} bytes. */
  byte[] readAvailable(Duration wait, int max) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + wait.toNanos();
    while (got.size() < max) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        break;
      }
      socket.setSoTimeout((int) Math.max(1, left));
      try {
        int b = in.read();
        if (b < 0) {
          break;
        }
        got.write(b);
      } catch (SocketTimeoutException e) {
        break;
      }
    }
    socket.setSoTimeout(READ_TIMEOUT_MS);
    return got.toByteArray();
  }

  /** Next byte, -1 at EOF. */
  int read() throws IOException {
    return in.read();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
