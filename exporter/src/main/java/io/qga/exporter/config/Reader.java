package io.qga.exporter.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A strict reader over the plain maps/lists/scalars SnakeYAML gives: every accessor checks type and
 * range, records a {@link ConfigProblem} with the node's YAML path on failure and returns the
 * default, so one pass collects every problem of a file.
 */
final class Reader {
  private final List<ConfigProblem> problems = new ArrayList<>();
  private final Path baseDir;

  Reader(Path baseDir) {
    this.baseDir = baseDir;
  }

  List<ConfigProblem> problems() {
    return problems;
  }

  void problem(String path, String message) {
    problems.add(new ConfigProblem(path.isEmpty() ? "/" : path, message));
  }

  static String child(String path, String key) {
    return path + "/" + key.replace("~", "~0").replace("/", "~1");
  }

  static String child(String path, int index) {
    return path + "/" + index;
  }

  /**
   * The node as a mapping ({@code null}: empty). Keys outside {@code valid} are reported as
   * "unknown WHAT 'k' (valid: ...)"; keys in {@code forbidden} get their own message instead.
   */
  Map<String, Object> mapping(
      Object node, String path, List<String> valid, String what, Map<String, String> forbidden) {
    if (node == null) {
      return Map.of();
    }
    if (!(node instanceof Map<?, ?> raw)) {
      problem(path, "must be a mapping (" + keysHint(valid) + "), got " + describe(node));
      return Map.of();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    for (var e : raw.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        problem(
            path,
            "key " + e.getKey() + " is not a string (valid: " + String.join(", ", valid) + ")");
        continue;
      }
      if (forbidden.containsKey(key)) {
        problem(child(path, key), forbidden.get(key));
      } else if (!valid.contains(key)) {
        problem(
            path.isEmpty() ? "/" : path,
            "unknown " + what + " '" + key + "' (valid: " + String.join(", ", valid) + ")");
      } else {
        m.put(key, e.getValue());
      }
    }
    return Collections.unmodifiableMap(m);
  }

  Map<String, Object> mapping(Object node, String path, List<String> valid) {
    return mapping(node, path, valid, "key", Map.of());
  }

  private static String keysHint(List<String> valid) {
    return valid.isEmpty() ? "key: value" : "keys: " + String.join(", ", valid);
  }

  /** The node as a list ({@code null}: empty). */
  List<Object> sequence(Object node, String path) {
    if (node == null) {
      return List.of();
    }
    if (!(node instanceof List<?> list)) {
      problem(path, "must be a list (- item), got " + describe(node));
      return List.of();
    }
    return new ArrayList<>(list);
  }

  /** A string value, or {@code null} when absent or wrong (reported). */
  String string(Map<String, Object> m, String path, String key) {
    Object v = m.get(key);
    if (v == null) {
      return null;
    }
    if (v instanceof String s) {
      return s;
    }
    problem(child(path, key), "must be a string, got " + describe(v) + quoteHint(v));
    return null;
  }

  String string(Map<String, Object> m, String path, String key, String def) {
    String s = string(m, path, key);
    return s == null ? def : s;
  }

  /** A required, non-blank string; {@code null} when missing or wrong (reported). */
  String required(Map<String, Object> m, String path, String key, String hint) {
    if (!m.containsKey(key) || m.get(key) == null) {
      problem(path, "missing required key '" + key + "' (" + hint + ")");
      return null;
    }
    String s = string(m, path, key);
    if (s != null && s.isBlank()) {
      problem(child(path, key), "must not be blank (" + hint + ")");
      return null;
    }
    return s;
  }

  boolean bool(Map<String, Object> m, String path, String key, boolean def) {
    Object v = m.get(key);
    if (v == null) {
      return def;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    problem(child(path, key), "must be true or false, got " + show(v));
    return def;
  }

  Optional<Boolean> optionalBool(Map<String, Object> m, String path, String key) {
    return m.get(key) == null ? Optional.empty() : Optional.of(bool(m, path, key, false));
  }

  /** An integer in {@code min..max}. */
  long integer(Map<String, Object> m, String path, String key, long def, long min, long max) {
    Object v = m.get(key);
    if (v == null) {
      return def;
    }
    if (!(v instanceof Integer || v instanceof Long)) {
      problem(child(path, key), "must be a whole number, got " + show(v));
      return def;
    }
    long n = ((Number) v).longValue();
    if (n < min || n > max) {
      problem(
          child(path, key),
          (n < 0 && min >= 0 ? "must not be negative" : "is out of range")
              + " ("
              + (max == Long.MAX_VALUE ? "at least " + min : min + " to " + max)
              + "), got "
              + n);
      return def;
    }
    return n;
  }

  int integer(Map<String, Object> m, String path, String key, int def, int min, int max) {
    return (int) integer(m, path, key, (long) def, min, max);
  }

  OptionalInt optionalInt(Map<String, Object> m, String path, String key, int min, int max) {
    if (m.get(key) == null) {
      return OptionalInt.empty();
    }
    int before = problems.size();
    int n = integer(m, path, key, min, min, max);
    return problems.size() == before ? OptionalInt.of(n) : OptionalInt.empty();
  }

  /** A ratio in 0..1. */
  OptionalDouble ratio(Map<String, Object> m, String path, String key) {
    Object v = m.get(key);
    if (v == null) {
      return OptionalDouble.empty();
    }
    if (!(v instanceof Number n) || v instanceof java.math.BigInteger) {
      problem(child(path, key), "must be a number from 0 to 1 (e.g. 0.9), got " + show(v));
      return OptionalDouble.empty();
    }
    double d = n.doubleValue();
    if (!(d >= 0 && d <= 1)) {
      problem(child(path, key), "must be from 0 to 1 (a ratio, e.g. 0.9 for 90%), got " + v);
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(d);
  }

  /** A duration; {@code positive}: zero is an error too. */
  Duration duration(
      Map<String, Object> m, String path, String key, Duration def, boolean positive) {
    Object v = m.get(key);
    if (v == null) {
      return def;
    }
    Duration d = duration(v, child(path, key), positive);
    return d == null ? def : d;
  }

  Optional<Duration> optionalDuration(
      Map<String, Object> m, String path, String key, boolean positive) {
    Object v = m.get(key);
    return v == null
        ? Optional.empty()
        : Optional.ofNullable(duration(v, child(path, key), positive));
  }

  private Duration duration(Object v, String path, boolean positive) {
    if (v instanceof Integer i && i == 0) {
      if (positive) {
        problem(path, "must be longer than 0, got 0");
        return null;
      }
      return Duration.ZERO;
    }
    if (!(v instanceof String s)) {
      problem(path, "\"" + v + "\" is not a duration (" + Durations.HINT + ")");
      return null;
    }
    try {
      Duration d = Durations.parse(s);
      if (positive && d.isZero()) {
        problem(path, "must be longer than 0, got " + (s.equals("0") ? "0" : "\"" + s + "\""));
        return null;
      }
      return d;
    } catch (IllegalArgumentException e) {
      problem(path, e.getMessage());
      return null;
    }
  }

  /** A byte size in {@code min..max}. */
  long size(Map<String, Object> m, String path, String key, long def, long min, long max) {
    Object v = m.get(key);
    if (v == null) {
      return def;
    }
    if (!(v instanceof String s)) {
      problem(child(path, key), "\"" + v + "\" is not a size (" + Sizes.HINT + ")");
      return def;
    }
    try {
      long n = Sizes.parse(s);
      if (n < min || n > max) {
        problem(
            child(path, key), "\"" + s + "\" is out of range (" + min + " to " + max + " bytes)");
        return def;
      }
      return n;
    } catch (IllegalArgumentException e) {
      problem(child(path, key), e.getMessage());
      return def;
    }
  }

  /** A file system path; relative paths are resolved against the config file's directory. */
  Path path(Map<String, Object> m, String path, String key, Path def) {
    String s = string(m, path, key);
    if (s == null) {
      return def;
    }
    return toPath(s, child(path, key), def);
  }

  Path toPath(String s, String path, Path def) {
    if (s.isBlank()) {
      problem(path, "must not be blank");
      return def;
    }
    try {
      return baseDir.resolve(s).normalize();
    } catch (InvalidPathException e) {
      problem(path, "\"" + s + "\" is not a valid path: " + e.getReason());
      return def;
    }
  }

  /** A path to a regular, readable file that must exist now. */
  Path existingFile(Map<String, Object> m, String path, String key, String what) {
    Path p = path(m, path, key, null);
    if (p == null) {
      return null;
    }
    if (!Files.exists(p)) {
      problem(child(path, key), what + " " + p + " does not exist");
      return null;
    }
    if (!Files.isRegularFile(p)) {
      problem(child(path, key), what + " " + p + " is not a regular file");
      return null;
    }
    if (!Files.isReadable(p)) {
      problem(child(path, key), what + " " + p + " is not readable by this user");
      return null;
    }
    return p;
  }

  Optional<ZoneId> zone(Map<String, Object> m, String path, String key) {
    String s = string(m, path, key);
    if (s == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(ZoneId.of(s.trim()));
    } catch (DateTimeException e) {
      problem(
          child(path, key),
          "\"" + s + "\" is not a time zone (use UTC or an IANA id like Europe/Berlin)");
      return Optional.empty();
    }
  }

  /** A list of non-blank strings ({@code null}: {@code def}). */
  List<String> strings(Map<String, Object> m, String path, String key, List<String> def) {
    Object v = m.get(key);
    if (v == null) {
      return def;
    }
    String p = child(path, key);
    List<String> out = new ArrayList<>();
    List<Object> items = sequence(v, p);
    for (int i = 0; i < items.size(); i++) {
      Object item = items.get(i);
      if (item instanceof String s && !s.isBlank()) {
        out.add(s);
      } else {
        problem(child(p, i), "must be a non-blank string, got " + describe(item) + quoteHint(item));
      }
    }
    return out;
  }

  static String describe(Object v) {
    if (v == null) {
      return "nothing";
    }
    if (v instanceof Map) {
      return "a mapping";
    }
    if (v instanceof List) {
      return "a list";
    }
    if (v instanceof String s) {
      return "the string \"" + s + "\"";
    }
    if (v instanceof Boolean) {
      return "the boolean " + v;
    }
    if (v instanceof Number) {
      return "the number " + v;
    }
    if (v instanceof java.util.Date) {
      return "a date";
    }
    return "a " + v.getClass().getSimpleName();
  }

  private static String show(Object v) {
    return v instanceof String s ? "\"" + s + "\"" : describe(v);
  }

  private static String quoteHint(Object v) {
    return v instanceof Number || v instanceof Boolean ? " (quote it if you meant text)" : "";
  }
}
