package io.qga.exporter.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads the small files the exporter is pointed at (its config, token files), at start and at every
 * re-read. Only regular files, and at most a given size: a FIFO would block the reader until
 * someone writes to it (a reload or an API request hanging for ever), and a device such as {@code
 * /dev/zero} or {@code /dev/urandom} never ends.
 */
public final class RegularFile {
  private RegularFile() {}

  /**
   * The file's bytes.
   *
   * @param what the file's role in messages, e.g. "config file", "token file"
   * @throws IOException naming the path: missing, not a regular file, longer than {@code maxBytes},
   *     unreadable
   */
  public static byte[] read(Path path, int maxBytes, String what) throws IOException {
    BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
    if (!a.isRegularFile()) {
      throw new IOException(what + " " + path + " is " + kind(a) + ", not a regular file");
    }
    if (a.size() > maxBytes) {
      throw new IOException(
          what
              + " "
              + path
              + " is "
              + a.size()
              + " bytes; a "
              + what
              + " may have at most "
              + maxBytes);
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(path)) {
      bytes = in.readNBytes(maxBytes + 1); // bounded even if it grows (or is swapped) meanwhile
    }
    if (bytes.length > maxBytes) {
      throw new IOException(what + " " + path + " grew past " + maxBytes + " bytes while read");
    }
    return bytes;
  }

  private static String kind(BasicFileAttributes a) {
    if (a.isDirectory()) {
      return "a directory";
    }
    return a.isOther() ? "a FIFO, socket or device" : "not a plain file";
  }
}
