package io.qga.exporter.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.collectors.GuestRecord;
import io.qga.exporter.action.FreezeGuard.Promise;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The file {@code state_dir/fsfreeze.json} of {@link FreezeGuard}: {@code {"version": 1, "frozen":
 * {DOMAIN: {"until": T, "token": NAME, "since": T}}}}, read leniently (one bad entry does not cost
 * the others) and written atomically and durably.
 */
final class FreezePromises {
  private static final Logger LOG = Logger.getLogger(FreezeGuard.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private FreezePromises() {}

  /**
   * The promises in {@code fsfreeze.json}. A file that is not JSON with a {@code "frozen"} object
   * is moved aside (nothing in it can be trusted); a bad entry in a good file is skipped with an
   * error naming it, after the file is copied aside, and every valid entry is kept.
   */
  static Map<String, Promise> load(Path file) throws IOException {
    Path aside = file.resolveSibling(FreezeGuard.FILE + ".corrupt");
    JsonNode frozen;
    try {
      JsonNode root = JSON.readTree(file.toFile());
      frozen = root == null ? null : root.get("frozen");
      if (frozen == null || !frozen.isObject()) {
        throw new IOException("no \"frozen\" object");
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(
          Level.SEVERE,
          "cannot read "
              + file
              + " ("
              + e.getMessage()
              + "); moved to "
              + aside
              + ": guests frozen before the restart are not known, check them by hand");
      Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
      return Map.of();
    }
    Map<String, Promise> loaded = new TreeMap<>();
    List<String> bad = new ArrayList<>();
    for (var it = frozen.fields(); it.hasNext(); ) {
      var e = it.next();
      try {
        loaded.put(e.getKey(), promiseOf(e.getKey(), e.getValue()));
      } catch (RuntimeException x) {
        bad.add("\"" + cut(e.getKey()) + "\" (" + cut(String.valueOf(x.getMessage())) + ")");
      }
    }
    if (!bad.isEmpty()) {
      Files.copy(file, aside, StandardCopyOption.REPLACE_EXISTING);
      LOG.log(
          Level.SEVERE,
          file
              + ": skipped the bad entries "
              + String.join(", ", bad)
              + "; kept the "
              + loaded.size()
              + " valid one(s); the file as found is in "
              + aside
              + ": check the guests of the skipped entries by hand");
    }
    return loaded;
  }

  /** One entry of {@code "frozen"}: {@code {"until": T, "token": NAME, "since": T}}. */
  private static Promise promiseOf(String domain, JsonNode p) {
    if (domain.isEmpty() || !p.isObject()) {
      throw new IllegalArgumentException("not a promise object");
    }
    JsonNode until = p.get("until");
    if (until == null || !until.isTextual()) {
      throw new IllegalArgumentException("\"until\" must be a time like 2026-01-01T00:00:00Z");
    }
    Instant u = Instant.parse(until.asText());
    if (u.isAfter(FreezeGuard.LATEST)) {
      // every promise on file is thawed at start anyway; this keeps deadline sums from overflowing
      LOG.log(
          Level.WARNING,
          domain
              + ": until "
              + u
              + " is past "
              + FreezeGuard.LATEST
              + "; using "
              + FreezeGuard.LATEST);
      u = FreezeGuard.LATEST;
    }
    JsonNode since = p.get("since");
    return new Promise(
        domain,
        u,
        p.path("token").isTextual() ? p.get("token").asText() : "unknown",
        since != null && since.isTextual()
            ? Instant.parse(since.asText())
            : u); // for the audit only
  }

  /** Writes every promise to {@code file} (temp file, fsync, rename, fsync of the directory). */
  static void write(Path file, Collection<Promise> promises) throws IOException {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("version", 1);
    ObjectNode frozen = root.putObject("frozen");
    for (Promise p : promises) {
      ObjectNode o = frozen.putObject(p.domain());
      o.put("until", p.until().toString());
      o.put("token", p.token());
      o.put("since", p.since().toString());
    }
    Files.createDirectories(file.getParent());
    StateFiles.writeAtomically(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
  }

  /** Guest-chosen or file text in a log line: cut as the API cuts it. */
  private static String cut(String s) {
    return GuestRecord.cut(s);
  }
}
