package io.qga.exporter.action;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.AgentException;
import io.qga.client.api.ExecStatus;
import io.qga.client.api.GuestAgent;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code PUT /api/v1/domains/{domain}/files?path=}: streams {@code body} into a guest file with
 * {@code guest-file-open} (mode "w"), one {@code guest-file-write} per {@code chunkSize} bytes
 * read, and {@code guest-file-close}, which runs whatever happened before. No more than one chunk
 * is held at a time. A body over {@code maxFileSize} stops the upload ({@code too_large}); what was
 * written by then stays in the guest file. {@code mode}, when given, is applied afterwards with
 * {@code guest-exec chmod MODE PATH}; when that cannot run (exec disabled in the guest, no chmod,
 * non-zero exit) the file stays written and the result says {@code mode_applied: false} with why.
 *
 * <p>Unlike other actions this one holds the request's body stream, which its run consumes.
 *
 * @param deadline how long the whole transfer may take
 */
public record FilePut(
    String path,
    String mode,
    InputStream body,
    Long declaredSize,
    long maxFileSize,
    int chunkSize,
    Duration callTimeout,
    Duration deadline)
    implements Action {
  private static final Logger LOG = Logger.getLogger(FilePut.class.getName());

  public FilePut {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(body, "body");
  }

  @Override
  public String name() {
    return "file_put";
  }

  @Override
  public String command() {
    return "guest-file-write";
  }

  @Override
  public ObjectNode arguments() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("path", Exec.cut(path));
    if (mode != null) {
      o.put("mode", mode);
    }
    if (declaredSize != null) {
      o.put("content_length", declaredSize);
    }
    return o;
  }

  @Override
  public ActionReport run(ActionContext context) {
    GuestAgent agent = context.agent().withTimeout(callTimeout);
    long end = System.nanoTime() + deadline.toNanos();
    long handle;
    try {
      handle = agent.fileOpen(path, "w");
    } catch (AgentException e) {
      return GuestFailure.of(e, "guest-file-open", null, 0);
    }
    long total = 0;
    ActionReport failed = null;
    try {
      byte[] buf = new byte[chunkSize];
      while (failed == null) {
        int n;
        try {
          n = body.readNBytes(buf, 0, chunkSize);
        } catch (IOException e) {
          failed =
              GuestFailure.report(
                  "upload", null, "the request body broke off: " + e.getMessage(), null, total);
          break;
        }
        if (n == 0) {
          break;
        }
        if (total + n > maxFileSize) {
          failed =
              GuestFailure.report(
                  "too_large",
                  null,
                  "the body is larger than api.exec.max_file_size ("
                      + maxFileSize
                      + " bytes); "
                      + total
                      + " bytes were written to "
                      + path
                      + " before the upload stopped",
                  null,
                  total);
          break;
        }
        if (System.nanoTime() > end) {
          failed =
              GuestFailure.report(
                  "timeout",
                  "guest-file-write",
                  "the upload took longer than api.exec.max_timeout after " + total + " bytes",
                  null,
                  total);
          break;
        }
        byte[] data = n == chunkSize ? buf : Arrays.copyOf(buf, n);
        long written = agent.fileWrite(handle, data);
        if (written != n) {
          failed =
              GuestFailure.report(
                  "error",
                  "guest-file-write",
                  "the guest wrote " + written + " of " + n + " bytes at offset " + total,
                  null,
                  total);
        }
        total += written;
      }
    } catch (AgentException e) {
      failed = GuestFailure.of(e, "guest-file-write", null, total);
    } finally {
      ActionReport closeFailed = close(agent, handle, total);
      if (failed == null) {
        failed = closeFailed;
      }
    }
    if (failed != null) {
      return failed;
    }
    String modeError = mode == null ? null : chmod(agent);
    return ActionReport.succeeded(
        new Result(path, total, mode, mode == null ? null : modeError == null, modeError));
  }

  private static ActionReport close(GuestAgent agent, long handle, long total) {
    try {
      agent.fileClose(handle);
      return null;
    } catch (AgentException e) {
      LOG.log(Level.WARNING, "guest-file-close of handle " + handle + " failed: " + e);
      return GuestFailure.of(e, "guest-file-close", null, total);
    }
  }

  /** Runs chmod in the guest; null when it worked, else why not. */
  private String chmod(GuestAgent agent) {
    try {
      long pid = agent.exec("chmod", List.of(mode, path), List.of(), null, true);
      ExecStatus st = Exec.waitFor(agent, pid, System.nanoTime() + callTimeout.toNanos());
      if (st == null) {
        return "chmod did not finish within " + callTimeout;
      }
      if (st.exitCode() == null || st.exitCode() != 0) {
        return "chmod exited with "
            + (st.exitCode() == null ? "signal " + st.signal() : st.exitCode());
      }
      return null;
    } catch (AgentException e) {
      return "chmod through guest-exec failed: " + JobRunner.describe(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /**
   * A written file: its size, and for a {@code mode} whether chmod applied it ({@code modeApplied}
   * null when no mode was asked for).
   */
  public record Result(String path, long size, String mode, Boolean modeApplied, String modeError)
      implements ActionDetails {
    @Override
    public ObjectNode toJson() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("bytes", size);
      if (modeApplied != null) {
        o.put("mode_applied", modeApplied);
      }
      if (modeError != null) {
        o.put("mode_error", modeError);
      }
      return o;
    }
  }
}
