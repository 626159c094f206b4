package io.qga.exporter.api;

import io.qga.exporter.action.ActionRecord;
import io.qga.exporter.action.FileGet;
import io.qga.exporter.action.FilePut;
import io.qga.exporter.config.ExecConfig;
import io.qga.exporter.config.Role;
import io.qga.exporter.runtime.DomainHandle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * {@code PUT} and {@code GET /api/v1/domains/{domain}/files?path=}: a file into or out of the guest
 * through its agent, raw bytes both ways (docs/api.md). Admin only, with {@code api.exec.enabled}.
 * A download is read whole into a private temporary host file first, so a file that breaks a limit
 * half-way is an error status, never a cut file with 200.
 */
final class FilesHandler {
  static final int MAX_PATH = 4096;
  private static final Set<String> PUT_PARAMS = Set.of("path", "mode");
  private static final Set<String> GET_PARAMS = Set.of("path");

  private final DomainsHandler domains;
  private final GuestJobs jobs;
  private final LiveCalls live;
  private final ExecRequests metrics;

  FilesHandler(DomainsHandler domains, GuestJobs jobs, LiveCalls live, ExecRequests metrics) {
    this.domains = domains;
    this.jobs = jobs;
    this.live = live;
    this.metrics = metrics;
  }

  Reply handle(ApiRouter.Call call, String domainName) throws IOException {
    Request req = call.request();
    if (!req.method().equals("PUT") && !req.method().equals("GET")) {
      throw new ApiException(405, "use PUT or GET for this endpoint").with("allow", "GET, PUT");
    }
    String kind = req.method().equals("PUT") ? "file_put" : "file_get";
    int status = 500;
    try {
      Reply r = kind.equals("file_put") ? put(call, domainName) : get(call, domainName);
      status = r.status();
      return r;
    } catch (ApiException e) {
      status = e.status();
      throw e;
    } finally {
      metrics.record(kind, status);
    }
  }

  private Reply put(ApiRouter.Call call, String domainName) throws IOException {
    Request req = call.request();
    ControlApi.Settings s = call.settings();
    call.require(Role.ADMIN, "write files in a guest");
    ExecConfig x = GuestJobs.enabled(call);
    String path = path(req, PUT_PARAMS);
    String mode = req.query("mode");
    if (mode != null && !mode.matches("[0-7]{3,4}")) {
      throw ApiException.badField(
          "mode", "mode must be octal permissions like 0644, not \"" + Views.cut(mode) + "\"");
    }
    checkOctets(req.header("Content-Type"));
    Long length = req.contentLength();
    if (length != null && length > x.maxFileSize()) {
      throw new ApiException(
          413,
          "the body is "
              + length
              + " bytes, more than api.exec.max_file_size ("
              + x.maxFileSize()
              + " bytes); nothing was written");
    }
    DomainHandle d = domains.domain(domainName);
    Duration within = GuestJobs.within(x.maxTimeout(), s.commandTimeout());
    FilePut put =
        new FilePut(
            path,
            mode,
            req.bodyStream(),
            length,
            x.maxFileSize(),
            x.chunkSize(),
            s.commandTimeout(),
            x.maxTimeout());
    ActionRecord r;
    try (LiveCalls.Slot slot = live.enter(s.api().maxLiveCalls(), within, "guest-file-write")) {
      r = jobs.run(call, d, put, "PUT /api/v1/domains/" + d.name() + "/files", within);
    }
    FilePut.Result res = (FilePut.Result) r.details();
    return new Reply(
        200, new Responses.FileWritten(res.path(), res.size(), res.modeApplied(), res.modeError()));
  }

  private Reply get(ApiRouter.Call call, String domainName) throws IOException {
    Request req = call.request();
    ControlApi.Settings s = call.settings();
    call.require(Role.ADMIN, "read files in a guest");
    ExecConfig x = GuestJobs.enabled(call);
    String path = path(req, GET_PARAMS);
    DomainHandle d = domains.domain(domainName);
    Duration within = GuestJobs.within(x.maxTimeout(), s.commandTimeout());
    // createTempFile makes it rw------- : guest data is for this user only
    Path spool = Files.createTempFile("qga-file-get-", ".part");
    boolean sent = false;
    try {
      FileGet get =
          new FileGet(
              path, spool, x.maxFileSize(), x.chunkSize(), s.commandTimeout(), x.maxTimeout());
      ActionRecord r;
      try (LiveCalls.Slot slot = live.enter(s.api().maxLiveCalls(), within, "guest-file-read")) {
        r = jobs.run(call, d, get, "GET /api/v1/domains/" + d.name() + "/files", within);
      }
      FileGet.Result res = (FileGet.Result) r.details();
      sent = true; // Reply.send deletes the spool file once sent
      return new Reply(200, new Reply.Spooled(spool, res.size()));
    } finally {
      if (!sent) {
        Files.deleteIfExists(spool);
      }
    }
  }

  /** The {@code path} parameter: absolute, at most {@value #MAX_PATH} characters, no NUL. */
  private static String path(Request req, Set<String> allowed) {
    for (String name : req.queryNames()) {
      if (!allowed.contains(name)) {
        throw ApiException.badField(
            Views.cut(name),
            "unknown query parameter \""
                + Views.cut(name)
                + "\" (allowed: "
                + String.join(", ", new java.util.TreeSet<>(allowed))
                + ")");
      }
    }
    String path = req.query("path");
    if (path == null || path.isEmpty()) {
      throw ApiException.badField("path", "?path= must name the file in the guest");
    }
    if (path.length() > MAX_PATH || path.indexOf('\0') >= 0) {
      throw ApiException.badField(
          "path", "path must be at most " + MAX_PATH + " characters without NUL");
    }
    // absolute: POSIX "/...", or Windows "C:\..." / "C:/..."
    if (!path.startsWith("/") && !path.matches("(?s)[A-Za-z]:[\\\\/].*")) {
      throw ApiException.badField(
          "path", "path must be absolute (/dir/file, or C:\\dir\\file on Windows guests)");
    }
    return path;
  }

  /** A file body must be labelled {@code application/octet-stream}: 415 otherwise. */
  private static void checkOctets(String header) {
    String type = header == null ? "" : header.split(";")[0].strip().toLowerCase(Locale.ROOT);
    if (!type.equals("application/octet-stream")) {
      throw new ApiException(
          415,
          "a file body needs Content-Type: application/octet-stream (curl: -H 'Content-Type:"
              + " application/octet-stream' --data-binary @FILE)"
              + (header == null ? "" : ", not " + Views.cut(header.strip())));
    }
  }
}
