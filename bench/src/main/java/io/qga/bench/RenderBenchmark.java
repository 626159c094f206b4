package io.qga.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.qga.client.AgentChannel;
import io.qga.client.AgentCommand;
import io.qga.client.AgentErrorException;
import io.qga.client.api.Capabilities;
import io.qga.client.api.GuestAgent;
import io.qga.client.api.GuestInfo;
import io.qga.collectors.CollectContext;
import io.qga.collectors.Collector;
import io.qga.collectors.Collectors;
import io.qga.collectors.DomainSamples;
import io.qga.collectors.Exposition;
import io.qga.collectors.Limits;
import io.qga.collectors.SeriesText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * Rendering {@code /metrics} for N domains: every collector's samples of a real qemu-ga 7.2 guest
 * (fixtures) per domain, in the Prometheus text format (the poller's own per-domain series are not
 * included). {@link #scrape}: what the daemon does on a scrape, copying the text prepared per poll
 * ({@link Exposition#write}); {@link #prepare}: that per-poll work for every domain at once; {@link
 * #clientJava} and {@link #clientJavaWrite}: the same through client_java's snapshots and writer,
 * as the daemon scraped before. Run by {@code bench/run.sh --jmh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RenderBenchmark {
  @Param({"100", "1000"})
  public int domains;

  private Map<String, Map<String, DomainSamples>> byDomain;
  private MetricSnapshots snapshots;
  private List<Exposition.Prepared> prepared;

  @Setup
  public void collect() {
    FixtureChannel channel = new FixtureChannel();
    GuestAgent agent = new GuestAgent(channel);
    GuestInfo info =
        new ObjectMapper()
            .convertValue(channel.execute(AgentCommand.of("guest-info"), null), GuestInfo.class);
    CollectContext context =
        new CollectContext(Limits.DEFAULT, Clock.systemUTC(), Capabilities.from(info));
    Map<String, DomainSamples> one = new TreeMap<>();
    for (Collector c : Collectors.all()) {
      try {
        one.put(c.name(), c.poll(agent, context));
      } catch (AgentErrorException e) {
        // a command 7.2 lacks (guest-get-load): no series, as in the exporter
      }
    }
    byDomain = new LinkedHashMap<>();
    for (int i = 1; i <= domains; i++) {
      byDomain.put(String.format("vm-%04d", i), one);
    }
    snapshots = Exposition.snapshots(byDomain);
    prepared = prepareAll();
  }

  private List<Exposition.Prepared> prepareAll() {
    List<Exposition.Prepared> out = new ArrayList<>();
    byDomain.forEach(
        (domain, collectors) ->
            collectors.forEach((c, samples) -> out.add(Exposition.prepare(domain, c, samples))));
    return out;
  }

  /** A scrape of the collectors' series: the prepared text of every domain, grouped and copied. */
  @Benchmark
  public int scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
    Exposition.write(out, SeriesText.Format.PROMETHEUS, prepared);
    return out.size();
  }

  /** The per-poll work, for every domain and collector at once. */
  @Benchmark
  public int prepare() {
    return prepareAll().size();
  }

  /** Through client_java: assembling the snapshots and writing them (the scrape before). */
  @Benchmark
  public int clientJava() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
    PrometheusTextFormatWriter.create().write(out, Exposition.snapshots(byDomain));
    return out.size();
  }

  /** client_java's writer alone. */
  @Benchmark
  public int clientJavaWrite() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
    PrometheusTextFormatWriter.create().write(out, snapshots);
    return out.size();
  }

  /** Answers every command from the linux-7.2 fixtures; CommandNotFound for others. */
  static final class FixtureChannel implements AgentChannel {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, JsonNode> cache = new HashMap<>();

    @Override
    public JsonNode execute(AgentCommand command, Duration deadline) {
      JsonNode reply = cache.computeIfAbsent(command.name(), FixtureChannel::load);
      if (reply == null || !reply.has("return")) {
        throw AgentErrorException.of(
            command.name(),
            "CommandNotFound",
            "The command " + command.name() + " has not been found");
      }
      return reply.get("return");
    }

    private static JsonNode load(String command) {
      String path = "/io/qga/sim/fixtures/linux-7.2/" + command + ".json";
      try (InputStream in = RenderBenchmark.class.getResourceAsStream(path)) {
        return in == null ? null : JSON.readTree(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String describe() {
      return "fixtures linux-7.2";
    }

    @Override
    public void close() {}
  }
}
