package io.qga.exporter.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What must survive a restart so rules do not run twice: per domain, the last success of each
 * action; per policy and domain, the last run (cooldowns). Kept in {@code state_dir/state.json},
 * written atomically (temp file, fsync, atomic rename, fsync of the directory): a crash leaves
 * either the old or the new file, never a mix.
 *
 * <p>The audit log is the source of truth: {@link #load} also replays it, so a run whose audit
 * record was forced to disk but whose state write a crash prevented still counts. Thread-safe.
 */
public final class ActionState {
  private static final Logger LOG = Logger.getLogger(ActionState.class.getName());
  public static final String FILE = "state.json";
  static final int VERSION = 1;

  private final Path file;
  private final ConcurrentMap<String, ConcurrentMap<String, Instant>> lastSuccess =
      new ConcurrentHashMap<>();
  private final ConcurrentMap<String, ConcurrentMap<String, Instant>> lastRun =
      new ConcurrentHashMap<>();

  private ActionState(Path file) {
    this.file = file;
  }

  /** Empty state that is never saved (tests, dry runs without a state_dir). */
  public static ActionState inMemory() {
    return new ActionState(null);
  }

  /**
   * Loads {@code stateDir/state.json} (an unreadable file is moved aside to {@code
   * state.json.corrupt} with a warning) and replays {@code stateDir/audit.jsonl} over it.
   */
  public static ActionState load(Path stateDir) throws IOException {
    Files.createDirectories(stateDir);
    ActionState state = new ActionState(stateDir.resolve(FILE));
    if (Files.exists(state.file)) {
      try {
        state.fromJson(AuditLog.JSON.readTree(state.file.toFile()));
      } catch (IOException | RuntimeException e) {
        Path aside = stateDir.resolve(FILE + ".corrupt");
        LOG.log(
            Level.WARNING,
            "cannot read "
                + state.file
                + " ("
                + e.getMessage()
                + "); moved to "
                + aside
                + ", rebuilding from the audit log");
        Files.move(state.file, aside, StandardCopyOption.REPLACE_EXISTING);
        state.lastSuccess.clear();
        state.lastRun.clear();
      }
    }
    Path audit = stateDir.resolve(AuditLog.FILE);
    int skipped =
        AuditLog.read(
            audit,
            json -> {
              try {
                state.replay(ActionRecord.fromJson(json));
              } catch (RuntimeException e) {
                // a line we cannot interpret changes no state
              }
            });
    if (skipped > 0) {
      LOG.log(
          Level.WARNING, audit + ": skipped " + skipped + " incomplete line(s) (torn by a crash?)");
    }
    return state;
  }

  /** Applies one audited run. */
  void replay(ActionRecord r) {
    if (r.timestamp().isAfter(Instant.now().plus(java.time.Duration.ofDays(1)))
        || r.startedAt().isAfter(Instant.now().plus(java.time.Duration.ofDays(1)))
        || r.timestamp().isBefore(Instant.EPOCH)
        || r.startedAt().isBefore(Instant.EPOCH)) {
      return; // an audit line from an impossible time: no state from it (see readMap)
    }
    if (r.outcome() == Outcome.SUCCEEDED && !r.dryRun()) {
      put(lastSuccess, r.domain(), r.action(), r.timestamp());
    }
    if (r.origin().countsAsPolicyRun()) {
      put(lastRun, r.origin().policy(), r.domain(), r.startedAt());
    }
  }

  private static void put(
      ConcurrentMap<String, ConcurrentMap<String, Instant>> map, String a, String b, Instant t) {
    map.computeIfAbsent(a, k -> new ConcurrentHashMap<>())
        .merge(b, t, (old, neu) -> neu.isAfter(old) ? neu : old);
  }

  private static Optional<Instant> get(
      ConcurrentMap<String, ConcurrentMap<String, Instant>> map, String a, String b) {
    Map<String, Instant> inner = map.get(a);
    return Optional.ofNullable(inner == null ? null : inner.get(b));
  }

  public Optional<Instant> lastSuccess(String domain, String action) {
    return get(lastSuccess, domain, action);
  }

  public Optional<Instant> lastRun(String policy, String domain) {
    return get(lastRun, policy, domain);
  }

  /** Every last success: domain to action to time, sorted. */
  public Map<String, Map<String, Instant>> lastSuccesses() {
    Map<String, Map<String, Instant>> copy = new TreeMap<>();
    lastSuccess.forEach((d, m) -> copy.put(d, new TreeMap<>(m)));
    return copy;
  }

  public void recordSuccess(String domain, String action, Instant at) {
    put(lastSuccess, domain, action, at);
  }

  public void recordRun(String policy, String domain, Instant at) {
    put(lastRun, policy, domain, at);
  }

  /** Forgets entries older than {@code before} (domains long gone). */
  public void forgetBefore(Instant before) {
    for (ConcurrentMap<String, ConcurrentMap<String, Instant>> map :
        java.util.List.of(lastSuccess, lastRun)) {
      for (Iterator<Map.Entry<String, ConcurrentMap<String, Instant>>> it =
              map.entrySet().iterator();
          it.hasNext(); ) {
        Map.Entry<String, ConcurrentMap<String, Instant>> e = it.next();
        e.getValue().values().removeIf(t -> t.isBefore(before));
        if (e.getValue().isEmpty()) {
          it.remove();
        }
      }
    }
  }

  ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("version", VERSION);
    ObjectNode s = o.putObject("last_success");
    lastSuccesses()
        .forEach((d, m) -> m.forEach((a, t) -> s.withObjectProperty(d).put(a, t.toString())));
    ObjectNode r = o.putObject("last_run");
    Map<String, Map<String, Instant>> runs = new TreeMap<>();
    lastRun.forEach((p, m) -> runs.put(p, new TreeMap<>(m)));
    runs.forEach((p, m) -> m.forEach((d, t) -> r.withObjectProperty(p).put(d, t.toString())));
    return o;
  }

  private void fromJson(JsonNode o) {
    if (!o.isObject() || o.path("version").asInt(-1) != VERSION) {
      throw new IllegalArgumentException("not a version " + VERSION + " state file");
    }
    readMap(o.path("last_success"), "last_success", lastSuccess);
    readMap(o.path("last_run"), "last_run", lastRun);
  }

  /**
   * One map of the file. An entry whose time is not a time, lies before 1970 or more than a day
   * ahead of this host's clock is dropped with a warning naming the file and the entry: a time in
   * the year 10^9 would fail every {@code /metrics} (it does not fit a timestamp) and hold a
   * cooldown for ever; the audit log replayed after still restores what really ran.
   */
  private void readMap(
      JsonNode node, String section, ConcurrentMap<String, ConcurrentMap<String, Instant>> into) {
    node.fields()
        .forEachRemaining(
            outer ->
                outer
                    .getValue()
                    .fields()
                    .forEachRemaining(
                        inner -> {
                          Instant t = plausible(inner.getValue());
                          if (t == null) {
                            LOG.log(
                                Level.WARNING,
                                file
                                    + ": dropped "
                                    + section
                                    + "/"
                                    + outer.getKey()
                                    + "/"
                                    + inner.getKey()
                                    + " = "
                                    + cut(inner.getValue().toString())
                                    + " (not a time from 1970 to now)");
                          } else {
                            put(into, outer.getKey(), inner.getKey(), t);
                          }
                        }));
  }

  /** The time, or null when it is not an ISO time from 1970 to a day after now. */
  static Instant plausible(JsonNode value) {
    if (value == null || !value.isTextual()) {
      return null;
    }
    try {
      Instant t = Instant.parse(value.asText());
      return t.isBefore(Instant.EPOCH)
              || t.isAfter(Instant.now().plus(java.time.Duration.ofDays(1)))
          ? null
          : t;
    } catch (java.time.DateTimeException e) {
      return null;
    }
  }

  private static String cut(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }

  /** Writes {@code state.json} atomically; a no-op for {@link #inMemory} state. */
  public synchronized void save() throws IOException {
    if (file == null) {
      return;
    }
    StateFiles.writeAtomically(
        file, AuditLog.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson()));
    // the rename itself is durable only once the directory is
    try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // some filesystems cannot fsync a directory; the rename is still atomic
    }
  }
}
