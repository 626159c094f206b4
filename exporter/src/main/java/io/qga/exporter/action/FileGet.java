package io.qga.exporter.action;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.AgentException;
import io.qga.client.api.FileChunk;
import io.qga.client.api.GuestAgent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code GET /api/v1/domains/{domain}/files?path=}: reads a guest file with {@code guest-file-open}
 * (mode "r"), {@code guest-file-read} of {@code chunkSize} bytes until end of file, and {@code
 * guest-file-close} (always), into {@code spool}, a host file the API sends once the whole guest
 * file is there: a file over {@code maxFileSize} is refused, never sent cut with a 200. Each read
 * is checked against the count asked for ({@link GuestAgent#readChunk}); a guest that answers
 * {@value #MAX_EMPTY_READS} empty reads in a row without end of file is broken off.
 */
public record FileGet(
    String path,
    Path spool,
    long maxFileSize,
    int chunkSize,
    Duration callTimeout,
    Duration deadline)
    implements Action {
  static final int MAX_EMPTY_READS = 100;
  private static final Logger LOG = Logger.getLogger(FileGet.class.getName());

  public FileGet {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(spool, "spool");
  }

  @Override
  public String name() {
    return "file_get";
  }

  @Override
  public String command() {
    return "guest-file-read";
  }

  @Override
  public ObjectNode arguments() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("path", Exec.cut(path));
    return o;
  }

  @Override
  public ActionReport run(ActionContext context) {
    GuestAgent agent = context.agent().withTimeout(callTimeout);
    long end = System.nanoTime() + deadline.toNanos();
    long handle;
    try {
      handle = agent.fileOpen(path, "r");
    } catch (AgentException e) {
      return GuestFailure.of(e, "guest-file-open", null, 0);
    }
    long total = 0;
    ActionReport failed = null;
    try (OutputStream out = Files.newOutputStream(spool)) {
      int empty = 0;
      while (true) {
        if (System.nanoTime() > end) {
          failed =
              GuestFailure.report(
                  "timeout",
                  "guest-file-read",
                  "the download took longer than api.exec.max_timeout after " + total + " bytes",
                  null,
                  total);
          break;
        }
        FileChunk c = agent.readChunk(handle, chunkSize);
        total += c.data().length;
        if (total > maxFileSize) {
          failed =
              GuestFailure.report(
                  "too_large",
                  null,
                  path + " is larger than api.exec.max_file_size (" + maxFileSize + " bytes)",
                  null,
                  total);
          break;
        }
        out.write(c.data());
        if (c.eof()) {
          break;
        }
        empty = c.data().length == 0 ? empty + 1 : 0;
        if (empty >= MAX_EMPTY_READS) {
          failed =
              GuestFailure.report(
                  "protocol",
                  "guest-file-read",
                  "the guest answered "
                      + empty
                      + " empty reads in a row without end of file after "
                      + total
                      + " bytes",
                  null,
                  total);
          break;
        }
      }
    } catch (AgentException e) {
      failed = GuestFailure.of(e, "guest-file-read", null, total);
    } catch (IOException e) {
      failed =
          GuestFailure.report(
              "error", null, "cannot write the host's spool file: " + e.getMessage(), null, total);
    } finally {
      try {
        agent.fileClose(handle);
      } catch (AgentException e) {
        LOG.log(Level.WARNING, "guest-file-close of handle " + handle + " failed: " + e);
        if (failed == null) {
          failed = GuestFailure.of(e, "guest-file-close", null, total);
        }
      }
    }
    return failed != null ? failed : ActionReport.succeeded(new Result(path, total));
  }

  /** A file read whole: its size (its bytes are in the spool file). */
  public record Result(String path, long size) implements ActionDetails {
    @Override
    public ObjectNode toJson() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("bytes", size);
      return o;
    }
  }
}
