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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The append-only audit log: one JSON object per line in {@code state_dir/audit.jsonl}, each line
 * forced to disk before {@link #append} returns, so a record once returned survives a crash.
 *
 * <p>Every line on disk is a complete JSON object: a torn tail (a crash mid-write, or a write that
 * failed on a full disk or EIO) is cut back to the last newline when the log is opened and after
 * every failed write, before anything else is appended; every complete record before it is kept.
 * When the file grows beyond its bound it is renamed to {@code audit.jsonl.1} (replacing the
 * previous one) and a new file is started; a rotation that fails leaves the log appending to the
 * file it has, logs once, and is tried again at the next append.
 *
 * <p>{@link #writeFailures()} counts appends that did not reach the disk ({@code
 * qga_audit_write_failures_total}).
 */
public final class AuditLog implements Closeable {
  private static final Logger LOG = Logger.getLogger(AuditLog.class.getName());

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

  /** How much of a torn tail the log shows when it cuts it. */
  private static final int SHOW_TORN = 200;

  private final Path file;
  private final long maxBytes;
  private final AtomicLong writeFailures = new AtomicLong();
  private FileChannel channel;

  /** A write failed and its tail could not be cut yet: cut before the next append. */
  private boolean torn;

  /** The last rotation failed (logged once until one works). */
  private boolean rotationFailing;

  /** The file was renamed but no new one could be opened: {@link #channel} is {@code FILE.1}. */
  private boolean onRotated;

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
    // not APPEND (Java refuses READ with it): append() writes at the size it reads just before
    FileChannel c =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    try {
      cutTornTail(c, file);
    } catch (IOException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /**
   * Cuts everything after the last newline (a record torn by a crash or a failed write), so the
   * next record starts a line of its own and every line is a complete record.
   */
  private static void cutTornTail(FileChannel c, Path file) throws IOException {
    long size = c.size();
    long keep = size;
    ByteBuffer chunk = ByteBuffer.allocate(8192);
    while (keep > 0) {
      long from = Math.max(0, keep - chunk.capacity());
      chunk.clear().limit((int) (keep - from));
      while (chunk.hasRemaining() && c.read(chunk, from + chunk.position()) >= 0) {
        // read the whole chunk
      }
      int i = chunk.position() - 1;
      while (i >= 0 && chunk.get(i) != '\n') {
        i--;
      }
      if (i >= 0) {
        keep = from + i + 1;
        break;
      }
      keep = from;
    }
    if (keep == size) {
      return;
    }
    ByteBuffer shown = ByteBuffer.allocate((int) Math.min(SHOW_TORN, size - keep));
    c.read(shown, keep);
    c.truncate(keep);
    c.force(false);
    LOG.log(
        Level.WARNING,
        file
            + ": cut a torn last record of "
            + (size - keep)
            + " bytes (a crash or a failed"
            + " write) so the next record starts a line of its own; it began: "
            + new String(shown.array(), 0, shown.position(), StandardCharsets.US_ASCII));
  }

  public Path file() {
    return file;
  }

  /** Appends that did not reach the disk since the log was opened. */
  public long writeFailures() {
    return writeFailures.get();
  }

  /** Appends one record and forces it to disk. */
  public void append(ActionRecord record) throws IOException {
    append(record.toJson());
  }

  /**
   * Appends one JSON object as a line and forces it to disk.
   *
   * @throws IOException when the record is not on disk (full disk, EIO, closed log); the log stays
   *     usable and holds no part of it once the tail could be cut
   */
  public synchronized void append(ObjectNode json) throws IOException {
    try {
      if (channel == null) {
        throw new IOException("audit log " + file + " is closed");
      }
      byte[] line = (JSON.writeValueAsString(json) + "\n").getBytes(StandardCharsets.UTF_8);
      if (torn) {
        cutTornTail(channel, file);
        torn = false;
      }
      if (channel.size() > 0 && channel.size() + line.length > maxBytes) {
        rotate();
      }
      long before = channel.size();
      try {
        channel.position(before);
        writeFully(channel, ByteBuffer.wrap(line));
        channel.force(false);
      } catch (IOException e) {
        // a part of the line may be there: cut it now, or before the next append
        torn = true;
        try {
          channel.truncate(before);
          channel.force(false);
          torn = false;
        } catch (IOException again) {
          e.addSuppressed(again);
        }
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      writeFailures.incrementAndGet();
      throw e;
    }
  }

  /**
   * Renames the file to {@code FILE.1} and starts a new one. When the rename fails the log keeps
   * appending to the file it has; when the new file cannot be opened after the rename it keeps
   * appending to the renamed one (read back by {@link #read} all the same). Either way the next
   * append tries again.
   */
  private void rotate() {
    Path rotated = file.resolveSibling(file.getFileName() + ".1");
    try {
      if (!onRotated) {
        Files.move(
            file, rotated, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        onRotated = true;
      }
      FileChannel fresh = openChannel(file);
      onRotated = false;
      FileChannel old = channel;
      channel = fresh;
      try {
        old.close();
      } catch (IOException ignored) {
        // every record in it was forced when appended
      }
      if (rotationFailing) {
        rotationFailing = false;
        LOG.log(Level.INFO, "audit log " + file + " rotated again");
      }
    } catch (IOException | RuntimeException e) {
      if (!rotationFailing) {
        rotationFailing = true;
        LOG.log(
            Level.SEVERE,
            "cannot rotate the audit log "
                + file
                + " to "
                + rotated
                + " ("
                + e.getMessage()
                + "); appending to the current file beyond its bound and retrying at each record");
      }
    }
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
