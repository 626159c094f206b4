package io.qga.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The programs and files of a simulated guest whose agent allows {@code guest-exec} and {@code
 * guest-file-*}: processes with the real agent's status semantics (output only once exited, capped
 * at 16 MiB per stream with the truncated flag, the entry gone after the exited status was read),
 * and an in-memory file system behind handles, with qemu-ga 7.2's error texts; reads lie as the
 * guest's {@link FileReadFault} says.
 */
final class GuestExec {
  /** qemu-ga's GUEST_EXEC_MAX_OUTPUT. */
  static final int MAX_OUTPUT = 16 * 1024 * 1024;

  /** qemu-ga's QGA_READ_COUNT_DEFAULT and its largest read (GUEST_FILE_READ_COUNT_MAX). */
  static final long READ_DEFAULT = 4096;

  static final long READ_MAX = 48L * 1024 * 1024;

  private record Process(GuestProgram.Run run, long startedMillis, boolean capture) {}

  private static final class OpenFile {
    final String path;
    final boolean write;
    int position;
    ByteArrayOutputStream written;

    OpenFile(String path, boolean write) {
      this.path = path;
      this.write = write;
      this.written = write ? new ByteArrayOutputStream() : null;
    }
  }

  private final Map<String, GuestProgram> programs = new ConcurrentHashMap<>();
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final Map<Long, Process> processes = new ConcurrentHashMap<>();
  private final Map<Long, OpenFile> handles = new ConcurrentHashMap<>();
  private final AtomicLong nextPid = new AtomicLong(1000);
  private final AtomicLong nextHandle = new AtomicLong(1);

  void program(String path, GuestProgram program) {
    programs.put(path, program);
  }

  void putFile(String path, byte[] content) {
    files.put(path, content.clone());
  }

  Optional<byte[]> file(String path) {
    return Optional.ofNullable(files.get(path)).map(byte[]::clone);
  }

  int openHandles() {
    return handles.size();
  }

  JsonNode exec(JsonNode a, long now) throws AgentError {
    String path = requiredText(a, "path");
    GuestProgram program = programs.get(path);
    if (program == null) {
      throw AgentError.generic(
          "Guest agent command failed, error was 'Failed to execute child process \u201c"
              + path
              + "\u201d (No such file or directory)'");
    }
    byte[] stdin = new byte[0];
    if (a.hasNonNull("input-data")) {
      stdin = decode(a.get("input-data").asText(), "input-data");
    }
    GuestProgram.Run run = program.run(texts(a, "arg"), texts(a, "env"), stdin);
    long pid = nextPid.incrementAndGet();
    processes.put(pid, new Process(run, now, a.path("capture-output").asBoolean(false)));
    return QemuJson.object().put("pid", pid);
  }

  JsonNode status(JsonNode a, long now) throws AgentError {
    long pid = AgentError.requiredLong(a, "pid");
    Process p = processes.get(pid);
    if (p == null) {
      throw AgentError.generic("Invalid parameter 'pid'");
    }
    GuestProgram.Run run = p.run();
    ObjectNode o = QemuJson.object();
    boolean exited = run.runsFor() != null && now - p.startedMillis() >= run.runsFor().toMillis();
    o.put("exited", exited);
    if (!exited) {
      return o;
    }
    processes.remove(pid);
    if (run.exitCode() != null) {
      o.put("exitcode", run.exitCode());
    }
    if (run.signal() != null) {
      o.put("signal", run.signal());
    }
    if (p.capture()) {
      output(o, "out", run.stdout());
      output(o, "err", run.stderr());
    }
    return o;
  }

  private static void output(ObjectNode o, String stream, byte[] data) {
    if (data.length == 0) {
      return;
    }
    byte[] kept = data.length > MAX_OUTPUT ? Arrays.copyOf(data, MAX_OUTPUT) : data;
    o.put(stream + "-data", Base64.getEncoder().encodeToString(kept));
    if (kept.length < data.length) {
      o.put(stream + "-truncated", true);
    }
  }

  JsonNode open(JsonNode a) throws AgentError {
    String path = requiredText(a, "path");
    String mode = a.hasNonNull("mode") ? a.get("mode").asText() : "r";
    boolean write;
    switch (mode) {
      case "r", "rb" -> write = false;
      case "w", "wb" -> write = true;
      default -> throw AgentError.generic("invalid file open mode '" + mode + "'");
    }
    if (!write && !files.containsKey(path)) {
      throw AgentError.generic(
          "failed to open file '" + path + "' (mode: '" + mode + "'): No such file or directory");
    }
    if (write) {
      files.put(path, new byte[0]); // "w" truncates at open, as fopen does
    }
    long handle = nextHandle.incrementAndGet();
    handles.put(handle, new OpenFile(path, write));
    return QemuJson.object().numberNode(handle);
  }

  JsonNode read(JsonNode a, FileReadFault fault) throws AgentError {
    OpenFile f = handle(a);
    long count = a.has("count") ? AgentError.checkedLong(a.get("count"), "count") : READ_DEFAULT;
    if (count < 0 || count > READ_MAX) {
      throw AgentError.generic(
          "value '" + count + "' is invalid for argument count"); // as qmp_guest_file_read
    }
    byte[] content = f.write ? new byte[0] : files.getOrDefault(f.path, new byte[0]);
    if (fault == FileReadFault.STALLS) {
      return QemuJson.object().put("count", 0).put("buf-b64", "").put("eof", false);
    }
    int from = Math.min(f.position, content.length);
    int n = (int) Math.min(count, content.length - from);
    if (fault == FileReadFault.OVERSIZED) {
      n = (int) Math.min(2 * count + 1, content.length - from);
    }
    byte[] chunk = Arrays.copyOfRange(content, from, from + n);
    f.position = from + n;
    return QemuJson.object()
        .put("count", n)
        .put("buf-b64", Base64.getEncoder().encodeToString(chunk))
        .put("eof", n < count);
  }

  JsonNode write(JsonNode a) throws AgentError {
    OpenFile f = handle(a);
    byte[] data = decode(requiredText(a, "buf-b64"), "buf-b64");
    if (!f.write) {
      throw AgentError.generic("failed to write to file: Bad file descriptor");
    }
    f.written.writeBytes(data);
    files.put(f.path, f.written.toByteArray());
    return QemuJson.object().put("count", data.length).put("eof", false);
  }

  JsonNode close(JsonNode a) throws AgentError {
    long h = AgentError.requiredLong(a, "handle");
    if (handles.remove(h) == null) {
      throw AgentError.generic("handle '" + h + "' has not been found");
    }
    return QemuJson.object();
  }

  private OpenFile handle(JsonNode a) throws AgentError {
    long h = AgentError.requiredLong(a, "handle");
    OpenFile f = handles.get(h);
    if (f == null) {
      throw AgentError.generic("handle '" + h + "' has not been found");
    }
    return f;
  }

  private static String requiredText(JsonNode a, String name) throws AgentError {
    JsonNode v = a.get(name);
    if (v == null) {
      throw AgentError.generic("Parameter '" + name + "' is missing");
    }
    if (!v.isTextual()) {
      throw AgentError.generic("Invalid parameter type for '" + name + "', expected: string");
    }
    return v.asText();
  }

  private static List<String> texts(JsonNode a, String name) {
    List<String> out = new ArrayList<>();
    a.path(name).forEach(v -> out.add(v.asText()));
    return out;
  }

  private static byte[] decode(String b64, String name) throws AgentError {
    try {
      return Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw AgentError.generic("Invalid base64 data for '" + name + "'");
    }
  }
}
