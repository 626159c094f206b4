package io.qga.exporter.action;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** The daemon's small state files in {@code state_dir}, written so a crash leaves old or new. */
public final class StateFiles {
  private StateFiles() {}

  /**
   * Writes {@code bytes} to {@code FILE.tmp} next to {@code file}, forces it to disk, renames it
   * over {@code file} atomically and forces the directory: once this returns, a crash or power loss
   * leaves the new content; a reader sees the old content or the new, never a half.
   *
   * @throws IOException when any step fails (full or read-only directory, EIO): the new content is
   *     then not durable, and the temp file is removed so it does not hold the space
   */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      try (FileChannel c =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          c.write(b);
        }
        c.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // a read-only directory keeps it; the next write truncates it
      }
      throw e;
    }
    // the rename itself is durable only once the directory is
    Path dir = file.toAbsolutePath().getParent();
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
