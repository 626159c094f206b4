package io.qga.exporter.discovery;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code discovery.globs} pattern: {@code *} matches within one path segment (never {@code /}),
 * the text of the first {@code *} is the domain name, and only unix sockets count.
 */
final class SocketGlob {
  /**
   * Matching entries kept per directory, so a huge directory cannot blow up the domain list: the
   * first ones by name (a stable choice from one refresh to the next); the rest are counted in
   * {@link #cut()}.
   */
  static final int MAX_ENTRIES_PER_DIRECTORY = 10_000;

  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;

  private final String pattern;
  private final Path root;
  private final List<String> segments;
  private long cut;

  SocketGlob(String pattern) {
    this.pattern = pattern;
    Path p = Path.of(pattern);
    List<String> parts = new ArrayList<>();
    p.forEach(part -> parts.add(part.toString()));
    int first = 0;
    while (first < parts.size() && parts.get(first).indexOf('*') < 0) {
      first++;
    }
    if (first == parts.size()) {
      throw new IllegalArgumentException("glob " + pattern + " has no *");
    }
    Path r = p.getRoot() == null ? Path.of("") : p.getRoot();
    for (int i = 0; i < first; i++) {
      r = r.resolve(parts.get(i));
    }
    this.root = r;
    this.segments = List.copyOf(parts.subList(first, parts.size()));
  }

  /**
   * Domain name to socket path for every socket that matches now; the first match of a name wins.
   */
  Map<String, Path> scan() {
    return scan(dir -> {});
  }

  /** As {@link #scan()}, telling {@code unreadable} each directory this user may not list. */
  Map<String, Path> scan(Consumer<Path> unreadable) {
    Map<String, Path> found = new LinkedHashMap<>();
    cut = 0;
    walk(root, 0, null, found, unreadable);
    return found;
  }

  /**
   * Matching entries the last {@link #scan()} left out, over {@link #MAX_ENTRIES_PER_DIRECTORY}.
   */
  long cut() {
    return cut;
  }

  private void walk(
      Path dir, int index, String name, Map<String, Path> found, Consumer<Path> unreadable) {
    String segment = segments.get(index);
    boolean last = index == segments.size() - 1;
    if (segment.indexOf('*') < 0) {
      visit(dir.resolve(segment), index, last, name, found, unreadable);
      return;
    }
    Pattern regex = segmentRegex(segment);
    // the MAX_ENTRIES_PER_DIRECTORY matching entries first by name, whatever order the
    // directory lists them in: the largest kept name on top, replaced by any smaller one
    PriorityQueue<Path> kept = new PriorityQueue<>(Comparator.reverseOrder());
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path entry : stream) {
        if (!regex.matcher(entry.getFileName().toString()).matches()) {
          continue;
        }
        kept.add(entry);
        if (kept.size() > MAX_ENTRIES_PER_DIRECTORY) {
          kept.poll();
          cut++;
        }
      }
    } catch (AccessDeniedException e) {
      unreadable.accept(dir);
      return;
    } catch (IOException | SecurityException | java.nio.file.DirectoryIteratorException e) {
      return; // directory missing: nothing there now
    }
    List<Path> entries = new ArrayList<>(kept);
    entries.sort(null);
    for (Path entry : entries) {
      Matcher m = regex.matcher(entry.getFileName().toString());
      if (m.matches()) {
        visit(entry, index, last, name != null ? name : m.group(1), found, unreadable);
      }
    }
  }

  private void visit(
      Path path,
      int index,
      boolean last,
      String name,
      Map<String, Path> found,
      Consumer<Path> unreadable) {
    if (!last) {
      if (Files.isDirectory(path)) {
        walk(path, index + 1, name, found, unreadable);
      }
    } else if (name != null && !name.isEmpty() && isSocket(path)) {
      found.putIfAbsent(name, path);
    }
  }

  private static Pattern segmentRegex(String segment) {
    StringBuilder re = new StringBuilder();
    int start = 0;
    for (int i = segment.indexOf('*'); i >= 0; i = segment.indexOf('*', start)) {
      re.append(Pattern.quote(segment.substring(start, i))).append("(.*?)");
      start = i + 1;
    }
    re.append(Pattern.quote(segment.substring(start)));
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }

  static boolean isSocket(Path path) {
    try {
      Object mode = Files.getAttribute(path, "unix:mode");
      return mode instanceof Integer m && (m & S_IFMT) == S_IFSOCK;
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      try {
        return Files.readAttributes(path, BasicFileAttributes.class).isOther();
      } catch (IOException io) {
        return false;
      }
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return pattern;
  }
}
