package io.qga.collectors;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growing byte array the sample lines are written into, ASCII written char by char without a
 * String in between. Not thread-safe.
 */
final class TextBytes {
  private byte[] bytes;
  private int size;

  TextBytes(int capacity) {
    bytes = new byte[Math.max(capacity, 16)];
  }

  int size() {
    return size;
  }

  void write(int b) {
    room(1);
    bytes[size++] = (byte) b;
  }

  void write(byte[] b) {
    room(b.length);
    System.arraycopy(b, 0, bytes, size, b.length);
    size += b.length;
  }

  /** {@code s}, which holds only ASCII (a number). */
  void ascii(String s) {
    int n = s.length();
    room(n);
    for (int i = 0; i < n; i++) {
      bytes[size++] = (byte) s.charAt(i);
    }
  }

  /** A label value escaped for between the quotes ({@code \\ " \n}), as UTF-8. */
  void labelValue(String value) {
    int n = value.length();
    room(n);
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c >= 0x80 || c == '\\' || c == '"' || c == '\n') {
        // the rare value that needs more than a copy: escaped and encoded the slow way
        StringBuilder rest = new StringBuilder(n - i + 8);
        SeriesText.escapeLabelValue(rest, value.substring(i));
        write(rest.toString().getBytes(StandardCharsets.UTF_8));
        return;
      }
      bytes[size++] = (byte) c;
    }
  }

  /** The bytes written, in an array of exactly that size. */
  byte[] toArray() {
    return Arrays.copyOf(bytes, size);
  }

  private void room(int n) {
    if (bytes.length - size < n) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + n));
    }
  }
}
