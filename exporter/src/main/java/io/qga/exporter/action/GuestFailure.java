package io.qga.exporter.action;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.AgentConnectionException;
import io.qga.client.AgentErrorException;
import io.qga.client.AgentException;
import io.qga.client.AgentFrozenException;
import io.qga.client.AgentTimeoutException;
import io.qga.client.AgentUnsupportedException;
import io.qga.collectors.GuestRecord;
import java.util.List;

/**
 * Why an exec or file action ({@link Exec}, {@link FilePut}, {@link FileGet}) failed, kept in its
 * record so the API answers with the right status. {@code kind}: {@code unsupported} (the command
 * is disabled or unknown in the guest's agent), {@code frozen}, {@code not_found} (no such file),
 * {@code error} (any other agent error), {@code not_responding}, {@code protocol} (the guest's
 * reply broke a rule), {@code timeout}, {@code too_large} or {@code upload} (the client's body
 * broke off).
 *
 * @param command the agent command that failed, or null
 * @param pid the guest process of an exec, or null
 * @param bytes bytes moved before the failure (files), or -1
 */
public record GuestFailure(
    String kind, String command, String errorClass, String description, Long pid, long bytes)
    implements ActionDetails {

  static ActionReport report(String kind, String command, String message, Long pid, long bytes) {
    return new ActionReport(
        Outcome.FAILED,
        new GuestFailure(kind, command, null, GuestRecord.cut(message), pid, bytes),
        message,
        List.of());
  }

  /** The report of an agent call that failed. */
  static ActionReport of(AgentException e, String command, Long pid, long bytes) {
    String kind;
    String cls = null;
    String desc = null;
    if (e instanceof AgentErrorException a) {
      cls = a.errorClass();
      desc = GuestRecord.cut(a.description());
      if (e instanceof AgentFrozenException) {
        kind = "frozen";
      } else if (e instanceof AgentUnsupportedException) {
        kind = "unsupported";
      } else if (desc.contains("No such file or directory")) {
        kind = "not_found";
      } else {
        kind = "error";
      }
    } else if (e instanceof AgentTimeoutException || e instanceof AgentConnectionException) {
      kind = "not_responding";
    } else {
      kind = "protocol";
      desc = GuestRecord.cut(e.getMessage());
    }
    return new ActionReport(
        Outcome.FAILED,
        new GuestFailure(kind, command, cls, desc, pid, bytes),
        JobRunner.describe(e),
        List.of());
  }

  @Override
  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("kind", kind);
    if (command != null) {
      o.put("command", command);
    }
    if (errorClass != null) {
      o.put("class", errorClass);
    }
    if (description != null) {
      o.put("desc", description);
    }
    if (pid != null) {
      o.put("pid", pid);
    }
    if (bytes >= 0) {
      o.put("bytes", bytes);
    }
    return o;
  }
}
