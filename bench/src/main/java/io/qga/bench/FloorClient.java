package io.qga.bench;

import io.qga.client.AgentAddress;
import io.qga.client.AgentCommand;
import io.qga.client.AgentException;
import io.qga.client.protocol.AgentSession;
import io.qga.collectors.Collector;
import io.qga.collectors.Collectors;
import io.qga.exporter.config.CollectorsConfig;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * The floor the exporter's cost is compared with: {@code FloorClient AGENT_DIR SECONDS}. For every
 * {@code *.sock} in the directory one thread and one {@link AgentSession} (0xFF sync on connect and
 * after timeouts, as the exporter's), sending every collector's commands at the collector's default
 * interval, from a random phase. Nothing else: no scheduler, no collectors, no metrics, no
 * capability checks. Prints {@code floor domains=N ok=X failed=Y} and exits after SECONDS.
 */
public final class FloorClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private FloorClient() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: FloorClient AGENT_DIR SECONDS");
      System.exit(2);
    }
    List<Path> sockets = sockets(Path.of(args[0]));
    long end = System.nanoTime() + Duration.ofSeconds(Long.parseLong(args[1])).toNanos();
    List<Poll> polls = new ArrayList<>();
    for (Collector c : Collectors.all()) {
      polls.add(new Poll(c.commands(), CollectorsConfig.DEFAULT.interval(c.name()).toNanos()));
    }
    LongAdder ok = new LongAdder();
    LongAdder failed = new LongAdder();
    List<Thread> threads = new ArrayList<>();
    for (Path socket : sockets) {
      Thread t =
          new Thread(
              null, () -> loop(socket, polls, end, ok, failed), "floor-" + socket, 256 * 1024);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    System.out.println(
        "floor domains=" + sockets.size() + " ok=" + ok.sum() + " failed=" + failed.sum());
  }

  record Poll(List<String> commands, long intervalNanos) {}

  private static void loop(
      Path socket, List<Poll> polls, long end, LongAdder ok, LongAdder failed) {
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
        long wait = due[next] - System.nanoTime();
        if (due[next] >= end) {
          return;
        }
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
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

  private static List<Path> sockets(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.sock")) {
      files.forEach(out::add);
    }
    out.sort(null);
    return out;
  }
}
