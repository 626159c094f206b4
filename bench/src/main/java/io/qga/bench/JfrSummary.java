package io.qga.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where an exporter's window went, from the JFR recording the benchmark makes with {@code --jfr
 * true}: {@code JfrSummary FILE [COMMANDS]}. Prints the execution samples by thread group, the top
 * frames by self and by total samples, the code paths grouped by the first project frame,
 * allocation (sampled weight) by class and by the first project frame, per command when COMMANDS
 * (the agents' count for the window) is given, and the collections.
 */
public final class JfrSummary {
  private static final int TOP = 25;

  /**
   * What a sample was doing, by the first of these methods on its stack (checked in this order):
   * the scrape first, then the steps of a poll from the innermost out.
   */
  private static final String[][] BUCKETS = {
    {"io.qga.exporter.http.MetricsPage.handle", "scrape (/metrics)"},
    {"io.qga.client.protocol.ReplyCodec.parse", "poll: parse a reply (Jackson tree)"},
    {"io.qga.client.api.GuestAgent.convert", "poll: tree to records (GuestAgent.convert)"},
    {"io.qga.client.protocol.AgentSession.execute", "poll: transport, framing, sync (Java part)"},
    {"io.qga.exporter.poll.RecordingChannel.execute", "poll: recording replies (RecordingChannel)"},
    {"io.qga.collectors.Exposition.prepare", "poll: the domain's text (Exposition.prepare)"},
    {"io.qga.exporter.poll.PollerMetrics", "poller's own series (PollerMetrics)"},
    {"io.qga.exporter.poll.PolledDomain.runCollector", "poll: collector and its bookkeeping"},
    {"io.qga.exporter.poll.Poller.tick", "schedule: which domains are due (Poller.tick)"},
    {"io.qga.exporter.policy", "policy engine"},
    {"io.qga.exporter.discovery", "discovery"},
  };

  private JfrSummary() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: JfrSummary FILE [COMMANDS]");
      System.exit(2);
    }
    long commands = args.length > 1 ? Long.parseLong(args[1]) : 0;
    Map<String, Long> byThread = new HashMap<>();
    Map<String, Long> buckets = new HashMap<>();
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> total = new HashMap<>();
    Map<String, Long> project = new HashMap<>();
    Map<String, Long> allocByClass = new HashMap<>();
    Map<String, Long> allocByFrame = new HashMap<>();
    Map<String, Long> allocByThread = new HashMap<>();
    long samples = 0;
    long allocated = 0;
    long gcs = 0;
    Duration gcTime = Duration.ZERO;
    Duration gcLongest = Duration.ZERO;
    try (RecordingFile file = new RecordingFile(Path.of(args[0]))) {
      while (file.hasMoreEvents()) {
        RecordedEvent e = file.readEvent();
        switch (e.getEventType().getName()) {
          case "jdk.ExecutionSample" -> {
            samples++;
            RecordedThread t = e.getThread("sampledThread");
            byThread.merge(group(t == null ? "?" : t.getJavaName()), 1L, Long::sum);
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) {
              continue;
            }
            List<RecordedFrame> frames = st.getFrames();
            self.merge(name(frames.get(0)), 1L, Long::sum);
            Set<String> once = new HashSet<>();
            for (RecordedFrame f : frames) {
              if (once.add(name(f))) {
                total.merge(name(f), 1L, Long::sum);
              }
            }
            project.merge(projectFrame(frames), 1L, Long::sum);
            buckets.merge(bucket(frames), 1L, Long::sum);
          }
          case "jdk.ObjectAllocationSample" -> {
            long weight = e.getLong("weight");
            allocated += weight;
            allocByClass.merge(e.getClass("objectClass").getName(), weight, Long::sum);
            RecordedThread t = e.getThread("eventThread");
            allocByThread.merge(group(t == null ? "?" : t.getJavaName()), weight, Long::sum);
            RecordedStackTrace st = e.getStackTrace();
            allocByFrame.merge(st == null ? "?" : projectFrame(st.getFrames()), weight, Long::sum);
          }
          case "jdk.GarbageCollection" -> {
            gcs++;
            gcTime = gcTime.plus(e.getDuration("sumOfPauses"));
            if (e.getDuration("longestPause").compareTo(gcLongest) > 0) {
              gcLongest = e.getDuration("longestPause");
            }
          }
          default -> {}
        }
      }
    }
    System.out.printf(Locale.ROOT, "execution samples: %d%n", samples);
    print("by thread group", byThread, samples);
    print(
        "what the samples were doing (first match on the stack; Java code only)", buckets, samples);
    print("top frames, self", self, samples);
    print("top frames, total (the frame anywhere on the stack)", total, samples);
    print("by the innermost io.qga frame (what project code led there)", project, samples);
    System.out.printf(
        Locale.ROOT,
        "%nallocated (sampled weight): %.1f MB%s%n",
        allocated / 1e6,
        commands > 0
            ? String.format(
                Locale.ROOT,
                ", %.1f KB per command (%d commands)",
                allocated / 1e3 / commands,
                commands)
            : "");
    print("allocation by thread group (bytes)", allocByThread, allocated);
    print("allocation by class (bytes)", allocByClass, allocated);
    print("allocation by the innermost io.qga frame (bytes)", allocByFrame, allocated);
    System.out.printf(
        Locale.ROOT,
        "%ncollections: %d, pauses %d ms in all, longest %d ms%n",
        gcs,
        gcTime.toMillis(),
        gcLongest.toMillis());
  }

  private static void print(String title, Map<String, Long> counts, long all) {
    System.out.println();
    System.out.println(title + ":");
    counts.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .limit(TOP)
        .forEach(
            e ->
                System.out.printf(
                    Locale.ROOT,
                    "  %5.1f %%  %10d  %s%n",
                    all == 0 ? 0 : 100.0 * e.getValue() / all,
                    e.getValue(),
                    e.getKey()));
  }

  private static String bucket(List<RecordedFrame> frames) {
    for (String[] b : BUCKETS) {
      for (RecordedFrame f : frames) {
        if (name(f).startsWith(b[0])) {
          return b[1];
        }
      }
    }
    return "other";
  }

  private static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  /** The innermost frame of the project's code, or the outermost frame when there is none. */
  private static String projectFrame(List<RecordedFrame> frames) {
    for (RecordedFrame f : frames) {
      if (f.getMethod().getType().getName().startsWith("io.qga.")) {
        return name(f);
      }
    }
    return frames.isEmpty() ? "?" : "(no io.qga frame) " + name(frames.get(frames.size() - 1));
  }

  /** The thread's name without its numbers: one line per pool. */
  private static String group(String thread) {
    return thread == null ? "?" : thread.replaceAll("[0-9]+", "#");
  }
}
