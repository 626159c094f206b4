package io.qga.client.protocol;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The client's codec on a real agent's replies (fixtures captured from qemu-ga 7.2): framing a byte
 * stream that arrives in 4 KiB reads (a stale line, the 0xFF sentinel, the sync reply, then the
 * reply) and parsing the reply with the bounded parser. In this package because the framer is
 * package-private. Run by {@code bench/run.sh --jmh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
  @Param({
    "guest-network-get-interfaces",
    "guest-get-cpustats",
    "guest-get-fsinfo",
    "guest-info",
    "guest-get-time"
  })
  public String command;

  private byte[] stream;
  private byte[] reply;

  @Setup
  public void load() {
    String path = "/io/qga/sim/fixtures/linux-7.2/" + command + ".json";
    try (InputStream in = CodecBenchmark.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("no fixture " + path);
      }
      ObjectMapper json = new ObjectMapper();
      // The agent writes compact JSON, one reply per line.
      reply =
          (json.writeValueAsString(json.readTree(in)) + "\n").getBytes(StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] prefix =
        "{\"return\": {}}\n\u00ff{\"return\": 4242424242}\n".getBytes(StandardCharsets.ISO_8859_1);
    stream = new byte[prefix.length + reply.length];
    System.arraycopy(prefix, 0, stream, 0, prefix.length);
    System.arraycopy(reply, 0, stream, prefix.length, reply.length);
  }

  /** Sync framing and the reply's framing and parse, as one command on a fresh connection. */
  @Benchmark
  public Reply frameAndParse() {
    LineFramer framer = new LineFramer(ReplyCodec.MAX_REPLY_BYTES);
    Reply last = null;
    boolean synced = false;
    for (int off = 0; off < stream.length; off += 4096) {
      framer.feed(stream, off, Math.min(4096, stream.length - off));
      if (!synced) {
        synced = framer.skipToSentinel();
        if (!synced) {
          continue;
        }
      }
      byte[] line;
      while ((line = framer.nextLine()) != null) {
        last = ReplyCodec.parse(line);
      }
    }
    return last;
  }

  /** The parse alone. */
  @Benchmark
  public Reply parse() {
    return ReplyCodec.parse(reply);
  }
}
