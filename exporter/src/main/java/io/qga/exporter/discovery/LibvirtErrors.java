package io.qga.exporter.discovery;

import io.qga.client.AgentConnectionException;
import io.qga.client.AgentErrorException;
import io.qga.client.AgentException;
import io.qga.client.AgentTimeoutException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps libvirt's errors for {@code virDomainQemuAgentCommand} to the client's exceptions. libvirt
 * folds the agent's error reply into its message ({@code unable to execute QEMU agent command 'X':
 * DESC}) and drops the class, so the class is inferred from the text.
 */
final class LibvirtErrors {
  private static final Pattern AGENT_ERROR =
      Pattern.compile("unable to execute QEMU agent command '([^']*)'(?:: (.*))?", Pattern.DOTALL);
  private static final int MAX_TEXT = 1024;

  private LibvirtErrors() {}

  /** True when the failure means the libvirt connection itself is broken: reconnect. */
  static boolean connectionBroken(LibvirtFailure f) {
    String m = f.getMessage().toLowerCase(Locale.ROOT);
    return f.code().equals("VIR_ERR_RPC")
        || f.code().equals("VIR_ERR_INVALID_CONN")
        || m.contains("end of file while reading data")
        || m.contains("cannot recv data")
        || m.contains("cannot write data")
        || m.contains("client socket is closed")
        || m.contains("broken pipe")
        || m.contains("connection reset")
        || m.contains("failed to connect socket")
        || m.contains("invalid connection pointer");
  }

  static AgentException map(String command, String where, LibvirtFailure f) {
    String message = cut(f.getMessage());
    String lower = message.toLowerCase(Locale.ROOT);
    Matcher m = AGENT_ERROR.matcher(message);
    if (m.find()) {
      String desc = m.group(2) == null ? "" : m.group(2).trim();
      String d = desc.toLowerCase(Locale.ROOT);
      String cls =
          d.contains("has not been found") || d.contains("has been disabled")
              ? "CommandNotFound"
              : "GenericError";
      return AgentErrorException.of(command, cls, desc.isEmpty() ? message : desc);
    }
    if (lower.contains("has not been found") || lower.contains("has been disabled")) {
      return AgentErrorException.of(command, "CommandNotFound", message);
    }
    if (lower.contains("not responding")
        || lower.contains("not available for now")
        || lower.contains("timed out")
        || lower.contains("timeout")
        || f.code().equals("VIR_ERR_OPERATION_TIMEOUT")) {
      return new AgentTimeoutException(
          where + ": " + command + ": agent not responding (libvirt: " + message + ")");
    }
    if (lower.contains("not connected")
        || lower.contains("not configured")
        || lower.contains("is not running")
        || lower.contains("domain not found")
        || lower.contains("disappeared")
        || lower.contains("not supported by the connection driver")
        || f.code().equals("VIR_ERR_NO_DOMAIN")
        || f.code().equals("VIR_ERR_OPERATION_INVALID")
        || f.code().equals("VIR_ERR_NO_SUPPORT")
        || connectionBroken(f)) {
      return new AgentConnectionException(where + ": " + command + ": " + message);
    }
    return new AgentErrorException(command, f.code().isEmpty() ? "libvirt" : f.code(), message);
  }

  private static String cut(String s) {
    String t = s == null ? "" : s.strip();
    return t.length() > MAX_TEXT ? t.substring(0, MAX_TEXT) + "..." : t;
  }
}
