package io.qga.exporter.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * The append-only audit log: one JSON object per line in {@code state_dir/audit.jsonl}, each
 * line forced to disk before {@link #append} returns, so a record once returned survives a
 * crash.
 *
 * <p>A crash mid-write can leave a torn last line. Readers skip lines that are not complete JSON
 * objects; {@link #open} starts a new line when the file does not end in a newline, so the torn
 * line never swallows the next record. When the file grows beyond its bound it is renamed to
 * {@code audit.jsonl.1} (replacing the previous one) and a new file is started.
 */
public final class AuditLog implements Closeable {
  /** Non-ASCII is escaped: every line is ASCII, so a torn line cannot split a character. */
  static final ObjectMapper JSON =
      com.fasterxml.jackson.databind.json.JsonMapper.builder()
          .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII)
          .build();
  public static final String FILE = "audit.jsonl";
  /** Default size at which the log is rotated. */
  public static final long DEFAULT_MAX_BYTES = 64L << 20;
  /** Lines longer than this are not read back (never written by us; a corrupt file). */
  static final int MAX_LINE = 1 << 20;

  private final Path file;
  private final long maxBytes;
  private FileChannel channel;

  private AuditLog(Path file, long maxBytes) throws IOException {
    this.file = file;
    this.maxBytes = maxBytes;
    this.channel = openChannel(file);
  }

  /** Opens (creating) the log at {@code file}, its directory included. */
  public static AuditLog open(Path file) throws IOException {
    return open(file, DEFAULT_MAX_BYTES);
  }

  public static AuditLog open(Path file, long maxBytes) throws IOException {
    if (maxBytes < 1024) {
      throw new IllegalArgumentException("audit log bound must be at least 1 KiB: " + maxBytes);
    }
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    return new AuditLog(file, maxBytes);
  }

  private static FileChannel openChannel(Path file) throws IOException {
    boolean torn = false;
    if (Files.exists(file)) {
      try (FileChannel r = FileChannel.open(file, StandardOpenOption.READ)) {
        long size = r.size();
        if (size > 0) {
          ByteBuffer last = ByteBuffer.allocate(1);
          r.read(last, size - 1);
          torn = last.get(0) != '\n';
        }
      }
    }
    // APPEND: every write lands at the end, whoever else appended since
    FileChannel c =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    if (torn) {
      // a torn record from a crash: end it so the next record starts on a line of its own
      writeFully(c, ByteBuffer.wrap(new byte[] {'\n'}));
      c.force(false);
    }
    return c;
  }

  public Path file() {
    return file;
  }

  /** Appends one record and forces it to disk. */
  public void append(ActionRecord record) throws IOException {
    append(record.toJson());
  }

  /** Appends one JSON object as a line and forces it to disk. */
  public synchronized void append(ObjectNode json) throws IOException {
    if (channel == null) {
      throw new IOException("audit log " + file + " is closed");
    }
    byte[] line = (JSON.writeValueAsString(json) + "\n").getBytes(StandardCharsets.UTF_8);
    if (channel.size() > 0 && channel.size() + line.length > maxBytes) {
      rotate();
    }
    writeFully(channel, ByteBuffer.wrap(line));
    channel.force(false);
  }

  private void rotate() throws IOException {
    channel.close();
    channel = null;
    Files.move(
        file,
        file.resolveSibling(file.getFileName() + ".1"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    channel = openChannel(file);
  }

  private static void writeFully(FileChannel c, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      c.write(b);
    }
  }

  @Override
  public synchronized void close() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing left to save: every record was forced when appended
      }
      channel = null;
    }
  }

  /**
   * Reads every complete record of the rotated file (if any) and then the current one, oldest
   * first.
   *
   * @return how many lines were skipped (torn or not JSON objects)
   */
  public static int read(Path file, Consumer<JsonNode> records) throws IOException {
    int skipped = 0;
    Path rotated = file.resolveSibling(file.getFileName() + ".1");
    for (Path p : new Path[] {rotated, file}) {
      if (Files.exists(p)) {
        skipped += readOne(p, records);
      }
    }
    return skipped;
  }

  private static int readOne(Path p, Consumer<JsonNode> records) throws IOException {
    int skipped = 0;
    // InputStreamReader replaces malformed bytes instead of failing the whole read
    try (BufferedReader in =
        new BufferedReader(
            new java.io.InputStreamReader(Files.newInputStream(p), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        if (line.length() > MAX_LINE) {
          skipped++;
          continue;
        }
        JsonNode node;
        try {
          node = JSON.readTree(line);
        } catch (IOException e) {
          skipped++;
          continue;
        }
        if (node == null || !node.isObject()) {
          skipped++;
          continue;
        }
        records.accept(node);
      }
    }
    return skipped;
  }
}
