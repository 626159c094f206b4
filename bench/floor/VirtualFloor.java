// The Java floor (io.qga.bench.FloorClient) on virtual threads: one virtual thread and one
// AgentSession (junixsocket, blocking reads) per agent. Java 21+; run from a checkout with the
// source launcher, e.g. by bench/run.sh --floors vt (Temurin 25 in /usr/lib/jvm):
//   JAVA21/bin/java -cp BENCH_CLASSES:EXPORTER_JAR bench/floor/VirtualFloor.java AGENT_DIR SECONDS
// Prices "keep the blocking client, drop the platform threads": how many carrier and other
// threads the JVM ends up with while hung agents block reads, and the CPU per command.
import io.qga.client.AgentAddress;
import io.qga.client.AgentCommand;
import io.qga.client.AgentException;
import io.qga.client.protocol.AgentSession;
import io.qga.collectors.Collector;
import io.qga.collectors.Collectors;
import io.qga.exporter.config.CollectorsConfig;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

public class VirtualFloor {
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  record Poll(List<String> commands, long intervalNanos) {}

  public static void main(String[] args) throws Exception {
    List<Path> sockets = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of(args[0]), "*.sock")) {
      files.forEach(sockets::add);
    }
    long end = System.nanoTime() + Duration.ofSeconds(Long.parseLong(args[1])).toNanos();
    List<Poll> polls = new ArrayList<>();
    for (Collector c : Collectors.all()) {
      polls.add(new Poll(c.commands(), CollectorsConfig.DEFAULT.interval(c.name()).toNanos()));
    }
    LongAdder ok = new LongAdder();
    LongAdder failed = new LongAdder();
    List<Thread> threads = new ArrayList<>();
    for (Path socket : sockets) {
      threads.add(Thread.ofVirtual().start(() -> loop(socket, polls, end, ok, failed)));
    }
    for (Thread t : threads) {
      t.join();
    }
    System.out.println("vt-floor domains=" + sockets.size() + " ok=" + ok.sum() + " failed=" + failed.sum());
  }

  static void loop(Path socket, List<Poll> polls, long end, LongAdder ok, LongAdder failed) {
    AgentSession session =
        new AgentSession(
            AgentAddress.unix(socket),
            AgentSession.Options.defaults()
                .withConnectTimeout(Duration.ofSeconds(1))
                .withSyncTimeout(TIMEOUT)
                .withBackoff(Duration.ofMillis(50), Duration.ofSeconds(1)));
    long[] due = new long[polls.size()];
    long now = System.nanoTime();
    for (int i = 0; i < due.length; i++) {
      due[i] = now + ThreadLocalRandom.current().nextLong(polls.get(i).intervalNanos());
    }
    try {
      while (true) {
        int next = 0;
        for (int i = 1; i < due.length; i++) {
          if (due[i] < due[next]) {
            next = i;
          }
        }
        if (due[next] >= end) {
          return;
        }
        long wait = due[next] - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(Duration.ofNanos(wait));
        }
        Poll poll = polls.get(next);
        due[next] += poll.intervalNanos();
        for (String command : poll.commands()) {
          try {
            session.execute(AgentCommand.of(command), TIMEOUT);
            ok.increment();
          } catch (AgentException e) {
            failed.increment();
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      session.close();
    }
  }
}
