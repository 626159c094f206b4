package io.qga.exporter.action;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.AgentException;
import io.qga.client.AgentProtocolException;
import io.qga.client.api.ExecStatus;
import io.qga.client.api.GuestAgent;
import io.qga.exporter.config.Durations;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * {@code POST /api/v1/domains/{domain}/exec}: runs a program in the guest with {@code guest-exec}
 * and polls {@code guest-exec-status} (10 ms, doubling up to 1 s) until it exits or {@code timeout}
 * passes. The agent has no way to kill a process: one that outlives its timeout keeps running, and
 * the failure names its pid. The audit log gets the path, the arguments (each cut to {@value
 * #AUDIT_TEXT} characters, at most {@value #AUDIT_ARGS} of them), the names of the environment
 * variables and the size of the input; never the input, the values or the output.
 *
 * @param input standard input, or null for none
 * @param callTimeout the deadline of each agent call
 * @param maxOutput bytes kept per output stream; the rest is cut and flagged
 */
public record Exec(
    String path,
    List<String> args,
    List<String> env,
    byte[] input,
    boolean captureOutput,
    Duration timeout,
    Duration callTimeout,
    long maxOutput)
    implements Action {
  static final int AUDIT_TEXT = 256;
  static final int AUDIT_ARGS = 64;
  private static final Duration FIRST_POLL = Duration.ofMillis(10);
  private static final Duration LAST_POLL = Duration.ofSeconds(1);

  public Exec {
    Objects.requireNonNull(path, "path");
    args = List.copyOf(args);
    env = List.copyOf(env);
    input = input == null ? null : input.clone();
  }

  @Override
  public String name() {
    return "exec";
  }

  @Override
  public String command() {
    return "guest-exec";
  }

  @Override
  public ObjectNode arguments() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("path", cut(path));
    ArrayNode a = o.putArray("arg");
    args.stream().limit(AUDIT_ARGS).forEach(s -> a.add(cut(s)));
    o.put("arg_count", args.size());
    ArrayNode names = o.putArray("env_names");
    env.stream().limit(AUDIT_ARGS).forEach(e -> names.add(cut(e.split("=", 2)[0])));
    o.put("input_bytes", input == null ? 0 : input.length);
    o.put("capture_output", captureOutput);
    o.put("timeout", Durations.format(timeout));
    return o;
  }

  static String cut(String s) {
    return s.length() <= AUDIT_TEXT ? s : s.substring(0, AUDIT_TEXT) + "…";
  }

  @Override
  public ActionReport run(ActionContext context) {
    GuestAgent agent = context.agent().withTimeout(callTimeout);
    long t0 = System.nanoTime();
    long pid;
    try {
      pid = agent.exec(path, args, env, input, captureOutput);
    } catch (AgentException e) {
      return GuestFailure.of(e, "guest-exec", null, -1);
    }
    ExecStatus st;
    try {
      st = waitFor(agent, pid, t0 + timeout.toNanos());
    } catch (AgentException e) {
      return GuestFailure.of(e, "guest-exec-status", pid, -1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return GuestFailure.report("timeout", "guest-exec-status", "interrupted", pid, -1);
    }
    if (st == null) {
      return GuestFailure.report(
          "timeout",
          "guest-exec-status",
          "process "
              + pid
              + " still running after "
              + Durations.format(timeout)
              + "; the guest agent cannot kill it, it keeps running",
          pid,
          -1);
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    try {
      byte[] out = decode(st.outData(), "out-data");
      byte[] err = decode(st.errData(), "err-data");
      return ActionReport.succeeded(
          new Result(
              pid,
              st.exitCode(),
              st.signal(),
              keep(out),
              keep(err),
              Boolean.TRUE.equals(st.outTruncated()) || out.length > maxOutput,
              Boolean.TRUE.equals(st.errTruncated()) || err.length > maxOutput,
              ms));
    } catch (AgentProtocolException e) {
      return GuestFailure.of(e, "guest-exec-status", pid, -1);
    }
  }

  private byte[] keep(byte[] data) {
    return data.length > maxOutput ? Arrays.copyOf(data, (int) maxOutput) : data;
  }

  private static byte[] decode(String b64, String field) {
    if (b64 == null) {
      return new byte[0];
    }
    try {
      return Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new AgentProtocolException("guest-exec-status: " + field + " is not base64");
    }
  }

  /**
   * Polls {@code guest-exec-status} until the process exited (its status) or {@code deadline}
   * ({@link System#nanoTime()}) passed (null).
   */
  static ExecStatus waitFor(GuestAgent agent, long pid, long deadline) throws InterruptedException {
    long pause = FIRST_POLL.toNanos();
    while (true) {
      ExecStatus st = agent.execStatus(pid);
      if (st.exited()) {
        return st;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      long nanos = Math.min(pause, left);
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
      pause = Math.min(pause * 2, LAST_POLL.toNanos());
    }
  }

  /**
   * A process that exited: its exit code (null when a signal ended it), output as kept, whether a
   * stream was cut (by the agent's 16 MiB or by {@code max_output}), and how long it took.
   */
  public record Result(
      long pid,
      Integer exitCode,
      Integer signal,
      byte[] stdout,
      byte[] stderr,
      boolean stdoutTruncated,
      boolean stderrTruncated,
      long durationMs)
      implements ActionDetails {
    /** For the audit log: sizes and codes, never the output. */
    @Override
    public ObjectNode toJson() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("pid", pid);
      if (exitCode != null) {
        o.put("exitcode", exitCode);
      } else {
        o.putNull("exitcode");
      }
      if (signal != null) {
        o.put("signal", signal);
      }
      o.put("stdout_bytes", stdout.length);
      o.put("stderr_bytes", stderr.length);
      o.put("stdout_truncated", stdoutTruncated);
      o.put("stderr_truncated", stderrTruncated);
      o.put("duration_ms", durationMs);
      return o;
    }
  }
}
