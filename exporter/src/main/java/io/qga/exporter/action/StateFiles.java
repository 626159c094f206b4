package io.qga.exporter.action;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** The daemon's small state files in {@code state_dir}, written so a crash leaves old or new. */
public final class StateFiles {
  private StateFiles() {}

  /**
   * Writes {@code bytes} to {@code FILE.tmp} next to {@code file}, forces it to disk, then
   * renames it over {@code file} atomically: a reader (or a restart) sees the old content or the
   * new, never a half.
   */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
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
    java.nio.file.Files.move(
        tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
