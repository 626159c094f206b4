package io.qga.exporter.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads {@code api} (tokens, command allow list, fsfreeze deadlines, listener) for {@link
 * ConfigLoader}.
 */
final class ApiSection {
  static final Pattern TOKEN_NAME = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");
  static final Pattern COMMAND_GLOB = Pattern.compile("[a-z0-9*?-]{1,128}");

  private ApiSection() {}

  static ApiConfig api(Reader r, Object node) {
    String path = "/api";
    ApiConfig d = ApiConfig.DEFAULT;
    Map<String, Object> m =
        r.mapping(
            node,
            path,
            List.of(
                "tokens",
                "command_allow_list",
                "fsfreeze_default_deadline",
                "fsfreeze_max_deadline",
                "max_body",
                "job_retention",
                "max_wait",
                "max_live_calls",
                "listen",
                "tls",
                "exec"));
    List<ApiToken> tokens = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    Map<TokenSource, String> seenSources = new HashMap<>();
    List<Object> items = r.sequence(m.get("tokens"), path + "/tokens");
    for (int i = 0; i < items.size(); i++) {
      String p = Reader.child(path + "/tokens", i);
      Map<String, Object> t =
          r.mapping(
              items.get(i),
              p,
              List.of("name", "token_file", "sha256", "role"),
              "key",
              Map.of("token", ServerSection.PLAIN_TOKEN));
      String name = r.required(t, p, "name", "who uses the token; written to the audit log");
      if (name != null && !TOKEN_NAME.matcher(name).matches()) {
        r.problem(p + "/name", "\"" + name + "\" must be 1 to 64 of A-Z a-z 0-9 _ . @ -");
        name = null;
      }
      if (name != null && seen.putIfAbsent(name, p) != null) {
        r.problem(
            p + "/name", "duplicate token name '" + name + "' (first at " + seen.get(name) + ")");
      }
      TokenSource source =
          ServerSection.tokenSource(r, t, p, ServerSection.hasKey(items.get(i), "token"));
      Role role = null;
      String roleText = r.required(t, p, "role", "reader, operator or admin");
      if (roleText != null) {
        try {
          role = Role.valueOf(roleText.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
          r.problem(
              p + "/role", "\"" + roleText + "\" is not a role (valid: reader, operator, admin)");
        }
      }
      if (source != null && seenSources.putIfAbsent(source, p) != null) {
        r.problem(
            p,
            "the same token as "
                + seenSources.get(source)
                + ": each name needs its own token (the audit log names who acted)");
        source = null;
      }
      if (name != null && source != null && role != null) {
        tokens.add(new ApiToken(name, source, role));
      }
    }
    List<String> allow = r.strings(m, path, "command_allow_list", d.commandAllowList());
    for (int i = 0; i < allow.size(); i++) {
      if (!COMMAND_GLOB.matcher(allow.get(i)).matches()) {
        r.problem(
            Reader.child(path + "/command_allow_list", i),
            "\""
                + allow.get(i)
                + "\" is not a command name or glob (e.g. guest-info, guest-get-*)");
      }
    }
    Duration freezeDefault =
        r.duration(m, path, "fsfreeze_default_deadline", d.fsfreezeDefaultDeadline(), true);
    Duration freezeMax =
        r.duration(m, path, "fsfreeze_max_deadline", d.fsfreezeMaxDeadline(), true);
    if (freezeDefault.compareTo(freezeMax) > 0) {
      r.problem(
          path + "/fsfreeze_default_deadline",
          Durations.format(freezeDefault)
              + " is longer than fsfreeze_max_deadline ("
              + Durations.format(freezeMax)
              + ")");
    }
    return new ApiConfig(
        tokens,
        allow,
        freezeDefault,
        freezeMax,
        r.size(m, path, "max_body", d.maxBody(), 1, 64L << 20),
        r.duration(m, path, "job_retention", d.jobRetention(), true),
        r.duration(m, path, "max_wait", d.maxWait(), true),
        r.integer(m, path, "max_live_calls", d.maxLiveCalls(), 1, 256),
        TlsKeys.apiListener(r, m, path),
        exec(r, m.get("exec"), path + "/exec"));
  }

  /** {@code api.exec}: off unless {@code enabled: true}; limits with bounds. */
  static ExecConfig exec(Reader r, Object node, String path) {
    ExecConfig d = ExecConfig.DEFAULT;
    if (node == null) {
      return d;
    }
    Map<String, Object> m =
        r.mapping(
            node,
            path,
            List.of(
                "enabled",
                "max_timeout",
                "default_timeout",
                "max_output",
                "max_file_size",
                "chunk_size"));
    Duration max = r.duration(m, path, "max_timeout", d.maxTimeout(), true);
    Duration def = r.duration(m, path, "default_timeout", d.defaultTimeout(), true);
    if (def.compareTo(max) > 0) {
      r.problem(
          path + "/default_timeout",
          Durations.format(def) + " is longer than max_timeout (" + Durations.format(max) + ")");
      def = max;
    }
    return new ExecConfig(
        r.bool(m, path, "enabled", false),
        max,
        def,
        r.size(m, path, "max_output", d.maxOutput(), 0, ExecConfig.MAX_OUTPUT),
        r.size(m, path, "max_file_size", d.maxFileSize(), 1, 64L << 30),
        (int)
            r.size(
                m, path, "chunk_size", d.chunkSize(), ExecConfig.MIN_CHUNK, ExecConfig.MAX_CHUNK));
  }
}
