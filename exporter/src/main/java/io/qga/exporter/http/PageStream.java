package io.qga.exporter.http;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Where {@code /metrics} writes the page: a fixed buffer in front of the response, and for a
 * scraper that accepts gzip a gzip member (RFC 1952) made by a {@link Deflater} at level 1. The
 * page streams through, so no scrape holds the whole page (31 MB plain at 5000 domains) and the
 * buffers and the deflater are kept for the next scrape ({@link Pool}).
 *
 * <p>Why not {@code GZIPOutputStream}: it makes a new deflater at level 6 for every stream and ends
 * it on close. Level 6 took ~300 ms of CPU for the 5000-domain page here, level 1 ~80 ms for a page
 * a quarter larger (bench/RESULTS.md, run E). The member written here is what {@code
 * GZIPOutputStream} writes, header and trailer included; {@code GZIPInputStream} reads it back.
 *
 * <p>Not thread-safe: one scrape at a time uses one stream.
 */
final class PageStream extends OutputStream {
  /** What the page is gathered in before each write to the response (or the deflater). */
  static final int BUFFER_BYTES = 64 * 1024;

  /** ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=unknown, as {@code GZIPOutputStream} writes it. */
  private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

  private final byte[] buffer = new byte[BUFFER_BYTES];
  private final byte[] deflated = new byte[BUFFER_BYTES];
  private final Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
  private final CRC32 crc = new CRC32();
  private int count;
  private OutputStream out;
  private boolean gzip;

  /** Starts a page on {@code out}, gzipped or not; whatever the stream did before is dropped. */
  PageStream open(OutputStream out, boolean gzip) throws IOException {
    this.out = out;
    this.gzip = gzip;
    count = 0;
    if (gzip) {
      deflater.reset();
      crc.reset();
      out.write(GZIP_HEADER);
    }
    return this;
  }

  @Override
  public void write(int b) throws IOException {
    if (count == buffer.length) {
      drain();
    }
    buffer[count++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (len > buffer.length - count) {
      drain();
      if (len >= buffer.length) {
        pass(b, off, len);
        return;
      }
    }
    System.arraycopy(b, off, buffer, count, len);
    count += len;
  }

  /**
   * Ends the page: the buffered rest, and for gzip the last deflate block and the trailer. Does not
   * close the response.
   */
  void finish() throws IOException {
    drain();
    if (gzip) {
      deflater.finish();
      while (!deflater.finished()) {
        deflate();
      }
      int crcValue = (int) crc.getValue();
      int size = (int) deflater.getBytesRead(); // ISIZE: the input's length modulo 2^32
      out.write(
          new byte[] {
            (byte) crcValue,
            (byte) (crcValue >> 8),
            (byte) (crcValue >> 16),
            (byte) (crcValue >> 24),
            (byte) size,
            (byte) (size >> 8),
            (byte) (size >> 16),
            (byte) (size >> 24)
          });
    }
    out.flush();
    out = null;
  }

  private void drain() throws IOException {
    if (count > 0) {
      pass(buffer, 0, count);
      count = 0;
    }
  }

  private void pass(byte[] b, int off, int len) throws IOException {
    if (!gzip) {
      out.write(b, off, len);
      return;
    }
    crc.update(b, off, len);
    deflater.setInput(b, off, len);
    while (!deflater.needsInput()) {
      deflate();
    }
  }

  private void deflate() throws IOException {
    int n = deflater.deflate(deflated, 0, deflated.length, Deflater.NO_FLUSH);
    if (n > 0) {
      out.write(deflated, 0, n);
    }
  }

  /** Frees the deflater's native memory; the stream cannot be used after. */
  void end() {
    deflater.end();
  }

  /**
   * Streams kept between scrapes: at most {@code idle} wait for the next scrape (each holds 128 KiB
   * of heap and the deflater's few hundred KiB of native memory); concurrent scrapes beyond that
   * get a new stream, ended when given back.
   */
  static final class Pool {
    private final ConcurrentLinkedDeque<PageStream> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final int maxIdle;

    Pool(int maxIdle) {
      this.maxIdle = maxIdle;
    }

    PageStream take() {
      PageStream s = idle.pollFirst();
      if (s == null) {
        return new PageStream();
      }
      idleCount.decrementAndGet();
      return s;
    }

    void give(PageStream s) {
      s.out = null;
      if (idleCount.incrementAndGet() <= maxIdle) {
        idle.addFirst(s);
      } else {
        idleCount.decrementAndGet();
        s.end();
      }
    }
  }
}
