package io.qga.exporter.config;

import io.qga.client.AgentAddress;
import io.qga.collectors.Limits;
import io.qga.exporter.runtime.LogFormat;
import io.qga.exporter.runtime.LogLevel;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads {@code config.yaml} into a {@link Config}: SnakeYAML (safe constructor, bounded: aliases,
 * nesting, size) gives plain maps, then a strict pass checks every key and value and collects
 * every problem with its YAML path. An empty file gives {@link Config#defaults()}. Relative paths
 * in the file are relative to the file's directory.
 */
public final class ConfigLoader {
  /** A config file larger than this is refused before parsing. */
  static final int MAX_BYTES = 1 << 20;
  /** A token file is one token: 4 KiB (as {@code Auth} checks it on every read). */
  static final int MAX_TOKEN_FILE_BYTES = 4096;

  static final List<String> SECTIONS =
      List.of(
          "server",
          "discovery",
          "agent",
          "collectors",
          "limits",
          "api",
          "policy_defaults",
          "policies",
          "state_dir",
          "log");

  private static final Pattern POLICY_NAME = Pattern.compile("[a-z0-9_-]{1,64}");
  private static final Pattern TOKEN_NAME = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");
  private static final Pattern COMMAND_GLOB = Pattern.compile("[a-z0-9*?-]{1,128}");
  private static final String PLAIN_TOKEN =
      "a plain token is not allowed in the config (config files get copied, diffed and logged):"
          + " put it in a file readable only by the exporter (token_file: PATH), or give its"
          + " SHA-256 (sha256: HEX, from `printf %s TOKEN | sha256sum`)";

  private ConfigLoader() {}

  /** Reads and checks a config file; a missing or unreadable file is a problem at {@code /}. */
  public static Config load(Path file) throws ConfigException {
    Path abs = file.toAbsolutePath();
    String text;
    try {
      // only a regular file of at most MAX_BYTES: a FIFO or device would hang or fill the heap
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(RegularFile.read(abs, MAX_BYTES, "config file")))
              .toString();
    } catch (NoSuchFileException e) {
      throw fail("/", "cannot read " + abs + ": no such file");
    } catch (CharacterCodingException e) {
      throw fail("/", "cannot read " + abs + ": not UTF-8 text");
    } catch (IOException e) {
      throw fail("/", "cannot read " + abs + ": " + e.getMessage());
    }
    return parse(text, abs.getParent());
  }

  /**
   * Checks YAML text.
   *
   * @param baseDir the directory relative paths are resolved against
   */
  public static Config parse(String yaml, Path baseDir) throws ConfigException {
    Object root;
    try {
      root = yaml().load(yaml);
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark();
      throw fail(
          "/",
          "invalid YAML: "
              + (e.getContext() != null ? e.getContext() + ", " : "")
              + e.getProblem()
              + (mark == null ? "" : " (line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ")"));
    } catch (YAMLException e) {
      throw fail("/", "invalid YAML: " + e.getMessage());
    }
    Reader r = new Reader(baseDir.toAbsolutePath());
    Config config = read(r, root);
    if (!r.problems().isEmpty()) {
      throw new ConfigException(r.problems());
    }
    return config;
  }

  private static Yaml yaml() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(50);
    options.setAllowRecursiveKeys(false);
    options.setNestingDepthLimit(40);
    options.setCodePointLimit(MAX_BYTES);
    return new Yaml(new SafeConstructor(options));
  }

  private static ConfigException fail(String path, String message) {
    return new ConfigException(List.of(new ConfigProblem(path, message)));
  }

  private static Config read(Reader r, Object root) {
    if (root != null && !(root instanceof Map)) {
      r.problem("/", "the config must be a mapping of sections (" + String.join(", ", SECTIONS) + "), got " + Reader.describe(root));
      return Config.defaults();
    }
    Map<String, Object> m = r.mapping(root, "", SECTIONS);
    PolicyDefaults policyDefaults = policyDefaults(r, m.get("policy_defaults"));
    ServerConfig server = server(r, m.get("server"));
    DiscoveryConfig discovery = discovery(r, m.get("discovery"));
    AgentConfig agent = agent(r, m.get("agent"));
    CollectorsConfig collectors = collectors(r, m.get("collectors"));
    Limits limits = limits(r, m.get("limits"));
    ApiConfig api = api(r, m.get("api"));
    TlsKeys.checkApart(r, server, api);
    return new Config(
        server,
        discovery,
        agent,
        collectors,
        limits,
        api,
        policyDefaults,
        policies(r, m.get("policies")),
        stateDir(r, m),
        log(r, m.get("log")));
  }

  private static LogConfig log(Reader r, Object node) {
    String path = "/log";
    Map<String, Object> m = r.mapping(node, path, List.of("level", "format"));
    Optional<LogLevel> level = Optional.empty();
    Optional<LogFormat> format = Optional.empty();
    String text = r.string(m, path, "level");
    if (text != null) {
      try {
        level = Optional.of(LogLevel.parse(text));
      } catch (IllegalArgumentException e) {
        r.problem(path + "/level", e.getMessage());
      }
    }
    text = r.string(m, path, "format");
    if (text != null) {
      try {
        format = Optional.of(LogFormat.parse(text));
      } catch (IllegalArgumentException e) {
        r.problem(path + "/format", e.getMessage());
      }
    }
    return new LogConfig(level, format);
  }

  private static ServerConfig server(Reader r, Object node) {
    String path = "/server";
    Map<String, Object> m =
        r.mapping(
            node,
            path,
            List.of(
                "listen", "tls", "metrics_auth", "allowed_hosts", "header_timeout", "idle_timeout",
                "max_connections"));
    ListenAddress listen = ListenAddress.DEFAULT;
    String text = r.string(m, path, "listen");
    if (text != null) {
      try {
        listen = ListenAddress.parse(text);
      } catch (IllegalArgumentException e) {
        r.problem(path + "/listen", e.getMessage());
      }
    }
    Optional<ServerConfig.Tls> tls = TlsKeys.tls(r, m.get("tls"), path + "/tls");
    Optional<TokenSource> metricsAuth = Optional.empty();
    if (m.get("metrics_auth") != null) {
      String p = path + "/metrics_auth";
      Map<String, Object> a =
          r.mapping(m.get("metrics_auth"), p, List.of("token_file", "sha256"), "key", Map.of("token", PLAIN_TOKEN));
      metricsAuth = Optional.ofNullable(tokenSource(r, a, p, hasKey(m.get("metrics_auth"), "token")));
    }
    List<String> hosts = new ArrayList<>();
    List<String> given = r.strings(m, path, "allowed_hosts", List.of());
    for (int i = 0; i < given.size(); i++) {
      String h = given.get(i).strip();
      if (h.startsWith("[") && h.endsWith("]")) {
        h = h.substring(1, h.length() - 1);
      }
      if (!ALLOWED_HOST.matcher(h).matches()) {
        r.problem(
            Reader.child(path + "/allowed_hosts", i),
            "\"" + given.get(i) + "\" is not a host name or address (no scheme, port or path: e.g."
                + " exporter.example.org, 192.0.2.10, ::1)");
      } else {
        hosts.add(h.toLowerCase(java.util.Locale.ROOT));
      }
    }
    ServerConfig.Limits d = ServerConfig.Limits.DEFAULT;
    ServerConfig.Limits limits =
        new ServerConfig.Limits(
            r.duration(m, path, "header_timeout", d.headerTimeout(), true),
            r.duration(m, path, "idle_timeout", d.idleTimeout(), true),
            r.integer(m, path, "max_connections", d.maxConnections(), 1, 1_000_000));
    return new ServerConfig(listen, tls, metricsAuth, hosts, limits);
  }

  private static final Pattern ALLOWED_HOST = Pattern.compile("[A-Za-z0-9._:-]{1,253}");

  private static boolean hasKey(Object node, String key) {
    return node instanceof Map<?, ?> raw && raw.containsKey(key);
  }

  /** Exactly one of token_file / sha256; {@code plainTokenGiven}: already reported, say no more. */
  private static TokenSource tokenSource(
      Reader r, Map<String, Object> m, String path, boolean plainTokenGiven) {
    boolean file = m.get("token_file") != null;
    boolean hash = m.get("sha256") != null;
    if (file && hash) {
      r.problem(path, "give either token_file or sha256, not both");
      return null;
    }
    if (!file && !hash) {
      if (plainTokenGiven) {
        return null;
      }
      r.problem(path, "needs token_file (a file holding the token) or sha256 (64 hex digits of the token's SHA-256)");
      return null;
    }
    if (file) {
      Path p = r.existingFile(m, path, "token_file", "token file");
      if (p != null && p.toFile().length() > MAX_TOKEN_FILE_BYTES) {
        r.problem(path + "/token_file", "token file " + p + " is longer than " + MAX_TOKEN_FILE_BYTES + " bytes");
        return null;
      }
      return p == null ? null : new TokenSource.File(p);
    }
    String hex = r.string(m, path, "sha256");
    if (hex == null) {
      return null;
    }
    String lower = hex.trim().toLowerCase(java.util.Locale.ROOT);
    if (!lower.matches("[0-9a-f]{64}")) {
      r.problem(
          path + "/sha256",
          "must be 64 hex digits (the SHA-256 of the token, from `printf %s TOKEN | sha256sum`), got "
              + hex.length()
              + " characters");
      return null;
    }
    return new TokenSource.Sha256(lower);
  }

  private static DiscoveryConfig discovery(Reader r, Object node) {
    String path = "/discovery";
    DiscoveryConfig d = DiscoveryConfig.DEFAULT;
    Map<String, Object> m = r.mapping(node, path, List.of("refresh_interval", "static", "globs", "libvirt", "proxmox"));
    Duration refresh = r.duration(m, path, "refresh_interval", d.refreshInterval(), true);

    List<StaticDomain> statics = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    List<Object> items = r.sequence(m.get("static"), path + "/static");
    for (int i = 0; i < items.size(); i++) {
      String p = Reader.child(path + "/static", i);
      Map<String, Object> s = r.mapping(items.get(i), p, List.of("domain", "socket", "vsock"));
      if (s.isEmpty() && items.get(i) instanceof Map<?, ?> raw && !raw.isEmpty()) {
        continue; // only unknown keys: already reported
      }
      String domain = r.required(s, p, "domain", "the domain name used in metrics and the API");
      if (domain != null && seen.putIfAbsent(domain, p) != null) {
        r.problem(p + "/domain", "duplicate domain '" + domain + "' (first at " + seen.get(domain) + ")");
      }
      AgentAddress address = null;
      boolean socket = s.get("socket") != null;
      boolean vsock = s.get("vsock") != null;
      if (socket && vsock) {
        r.problem(p, "give either socket or vsock, not both");
      } else if (!socket && !vsock) {
        r.problem(p, "needs socket (a unix socket path) or vsock (\"CID:PORT\", e.g. \"3:1234\")");
      } else if (socket) {
        Path sp = r.path(s, p, "socket", null);
        int bytes = sp == null ? 0 : AgentAddress.Unix.pathBytes(sp);
        if (bytes > AgentAddress.Unix.MAX_PATH_BYTES) {
          r.problem(
              p + "/socket",
              "\"" + sp + "\" is " + bytes + " bytes long; a unix socket path holds at most "
                  + AgentAddress.Unix.MAX_PATH_BYTES
                  + " bytes on Linux (use a shorter path, e.g. a symlink to its directory)");
        } else {
          address = sp == null ? null : AgentAddress.unix(sp);
        }
      } else if (!(s.get("vsock") instanceof String v)) {
        r.problem(
            p + "/vsock",
            "must be a quoted string \"CID:PORT\" (e.g. vsock: \"3:1234\"; unquoted, YAML may read"
                + " 3:12 as a number), got "
                + Reader.describe(s.get("vsock")));
      } else {
        try {
          address = AgentAddress.vsock(v);
        } catch (IllegalArgumentException e) {
          r.problem(p + "/vsock", e.getMessage());
        }
      }
      if (domain != null && address != null) {
        statics.add(new StaticDomain(domain, address));
      }
    }

    List<GlobPattern> globs = new ArrayList<>();
    items = r.sequence(m.get("globs"), path + "/globs");
    for (int i = 0; i < items.size(); i++) {
      String p = Reader.child(path + "/globs", i);
      Map<String, Object> g = r.mapping(items.get(i), p, List.of("pattern"));
      String pattern = r.required(g, p, "pattern", "a socket path with *, e.g. /run/qga/*.sock");
      if (pattern == null) {
        continue;
      }
      if (pattern.indexOf('*') < 0) {
        r.problem(p + "/pattern", "\"" + pattern + "\" has no * (the text the first * matches is the domain name; for one socket use discovery.static)");
        continue;
      }
      Path resolved = r.toPath(pattern, p + "/pattern", null);
      if (resolved != null) {
        globs.add(new GlobPattern(resolved.toString()));
      }
    }

    LibvirtConfig lv = LibvirtConfig.DEFAULT;
    String lp = path + "/libvirt";
    Map<String, Object> l =
        r.mapping(m.get("libvirt"), lp, List.of("enabled", "run_dir", "uri", "use_libvirt_channel", "source"));
    String uri = r.string(l, lp, "uri", lv.uri());
    if (uri.isBlank()) {
      r.problem(lp + "/uri", "must not be blank (e.g. qemu:///system)");
    }
    String sourceKey = r.string(l, lp, "source", lv.source().key());
    LibvirtConfig.Source source = lv.source();
    try {
      source = LibvirtConfig.Source.valueOf(sourceKey.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      r.problem(lp + "/source", "\"" + sourceKey + "\" is not one of auto, run_dir, api");
    }
    LibvirtConfig libvirt =
        new LibvirtConfig(
            r.bool(l, lp, "enabled", lv.enabled()),
            r.path(l, lp, "run_dir", lv.runDir()),
            uri,
            r.bool(l, lp, "use_libvirt_channel", lv.useLibvirtChannel()),
            source);
    ProxmoxConfig proxmox = ProxmoxConfig.read(r, m.get("proxmox"), path + "/proxmox");
    return new DiscoveryConfig(refresh, statics, globs, libvirt, proxmox);
  }

  private static AgentConfig agent(Reader r, Object node) {
    String path = "/agent";
    AgentConfig d = AgentConfig.DEFAULT;
    Map<String, Object> m =
        r.mapping(
            node, path, List.of("command_timeout", "connect_timeout", "backoff_max", "max_reply_size"));
    return new AgentConfig(
        r.duration(m, path, "command_timeout", d.commandTimeout(), true),
        r.duration(m, path, "connect_timeout", d.connectTimeout(), true),
        r.duration(m, path, "backoff_max", d.backoffMax(), true),
        r.size(m, path, "max_reply_size", d.maxReplySize(), 4096, AgentConfig.MAX_REPLY_SIZE));
  }

  private static CollectorsConfig collectors(Reader r, Object node) {
    String path = "/collectors";
    Map<String, Object> m = r.mapping(node, path, CollectorsConfig.NAMES, "collector", Map.of());
    Map<String, CollectorConfig> byName = new LinkedHashMap<>();
    for (var e : m.entrySet()) {
      String p = Reader.child(path, e.getKey());
      Map<String, Object> c = r.mapping(e.getValue(), p, List.of("enabled", "interval"));
      byName.put(
          e.getKey(),
          new CollectorConfig(
              r.bool(c, p, "enabled", true),
              r.duration(c, p, "interval", CollectorsConfig.DEFAULT_INTERVALS.get(e.getKey()), true)));
    }
    return new CollectorsConfig(byName);
  }

  private static Limits limits(Reader r, Object node) {
    String path = "/limits";
    Limits d = Limits.DEFAULT;
    Map<String, Object> m =
        r.mapping(
            node,
            path,
            List.of(
                "max_interfaces",
                "max_addresses_per_interface",
                "max_filesystems",
                "max_users",
                "max_disks",
                "max_cpus",
                "max_label_length"));
    int max = 100_000;
    return new Limits(
        r.integer(m, path, "max_interfaces", d.maxInterfaces(), 1, max),
        r.integer(m, path, "max_addresses_per_interface", d.maxAddressesPerInterface(), 1, max),
        r.integer(m, path, "max_filesystems", d.maxFilesystems(), 1, max),
        r.integer(m, path, "max_users", d.maxUsers(), 1, max),
        r.integer(m, path, "max_disks", d.maxDisks(), 1, max),
        r.integer(m, path, "max_cpus", d.maxCpus(), 1, max),
        r.integer(m, path, "max_label_length", d.maxLabelLength(), 1, 4096));
  }

  private static ApiConfig api(Reader r, Object node) {
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
                "tls"));
    List<ApiToken> tokens = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    Map<TokenSource, String> seenSources = new HashMap<>();
    List<Object> items = r.sequence(m.get("tokens"), path + "/tokens");
    for (int i = 0; i < items.size(); i++) {
      String p = Reader.child(path + "/tokens", i);
      Map<String, Object> t =
          r.mapping(items.get(i), p, List.of("name", "token_file", "sha256", "role"), "key", Map.of("token", PLAIN_TOKEN));
      String name = r.required(t, p, "name", "who uses the token; written to the audit log");
      if (name != null && !TOKEN_NAME.matcher(name).matches()) {
        r.problem(p + "/name", "\"" + name + "\" must be 1 to 64 of A-Z a-z 0-9 _ . @ -");
        name = null;
      }
      if (name != null && seen.putIfAbsent(name, p) != null) {
        r.problem(p + "/name", "duplicate token name '" + name + "' (first at " + seen.get(name) + ")");
      }
      TokenSource source = tokenSource(r, t, p, hasKey(items.get(i), "token"));
      Role role = null;
      String roleText = r.required(t, p, "role", "reader, operator or admin");
      if (roleText != null) {
        try {
          role = Role.valueOf(roleText.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
          r.problem(p + "/role", "\"" + roleText + "\" is not a role (valid: reader, operator, admin)");
        }
      }
      if (source != null && seenSources.putIfAbsent(source, p) != null) {
        r.problem(p, "the same token as " + seenSources.get(source) + ": each name needs its own token (the audit log names who acted)");
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
            "\"" + allow.get(i) + "\" is not a command name or glob (e.g. guest-info, guest-get-*)");
      }
    }
    Duration freezeDefault =
        r.duration(m, path, "fsfreeze_default_deadline", d.fsfreezeDefaultDeadline(), true);
    Duration freezeMax = r.duration(m, path, "fsfreeze_max_deadline", d.fsfreezeMaxDeadline(), true);
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
        TlsKeys.apiListener(r, m, path));
  }

  private static PolicyDefaults policyDefaults(Reader r, Object node) {
    String path = "/policy_defaults";
    PolicyDefaults d = PolicyDefaults.DEFAULT;
    Map<String, Object> m = r.mapping(node, path, List.of("max_concurrent", "timezone"));
    return new PolicyDefaults(
        r.integer(m, path, "max_concurrent", d.maxConcurrent(), 1, 10_000),
        r.zone(m, path, "timezone").orElse(d.timezone()));
  }

  private static final List<String> POLICY_KEYS =
      List.of(
          "name",
          "match",
          "schedule",
          "when",
          "action",
          "cooldown",
          "dry_run",
          "max_concurrent",
          "windows",
          "timezone",
          "jitter");
  private static final List<String> WHEN_KEYS =
      List.of(
          "time_offset_above",
          "filesystem_used_ratio_above",
          "since_last_success_above",
          "agent_connected",
          "clock_jumped_above");

  private static List<Policy> policies(Reader r, Object node) {
    String path = "/policies";
    List<Policy> out = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    List<Object> items = r.sequence(node, path);
    for (int i = 0; i < items.size(); i++) {
      String p = Reader.child(path, i);
      int before = r.problems().size();
      Map<String, Object> m = r.mapping(items.get(i), p, POLICY_KEYS);
      String name = r.required(m, p, "name", "[a-z0-9_-]+, unique");
      if (name != null && !POLICY_NAME.matcher(name).matches()) {
        r.problem(p + "/name", "\"" + name + "\" must be 1 to 64 of a-z 0-9 _ -");
      } else if (name != null && seen.putIfAbsent(name, p) != null) {
        r.problem(p + "/name", "duplicate policy name '" + name + "' (first at " + seen.get(name) + ")");
      }
      PolicyMatch match = match(r, m.get("match"), p + "/match");
      Optional<String> schedule = Optional.ofNullable(r.string(m, p, "schedule")).map(String::trim);
      schedule.ifPresent(s -> checkCron(r, s, p + "/schedule"));
      Optional<PolicyConditions> when = Optional.empty();
      if (m.containsKey("when")) {
        when = Optional.ofNullable(when(r, m.get("when"), p + "/when"));
      }
      if (!m.containsKey("schedule") && !m.containsKey("when")) {
        r.problem(p, "needs a schedule (cron) or a when (conditions), or both");
      }
      PolicyAction action = action(r, m.get("action"), p + "/action");
      Duration cooldown = r.duration(m, p, "cooldown", Duration.ZERO, false);
      boolean dryRun = r.bool(m, p, "dry_run", false);
      OptionalInt maxConcurrent = r.optionalInt(m, p, "max_concurrent", 1, 10_000);
      List<MaintenanceWindow> windows = new ArrayList<>();
      List<String> texts = r.strings(m, p, "windows", List.of());
      for (int w = 0; w < texts.size(); w++) {
        try {
          windows.add(MaintenanceWindow.parse(texts.get(w)));
        } catch (IllegalArgumentException e) {
          r.problem(Reader.child(p + "/windows", w), e.getMessage());
        }
      }
      Optional<ZoneId> zone = r.zone(m, p, "timezone");
      Duration jitter = r.duration(m, p, "jitter", Duration.ZERO, false);
      if (r.problems().size() == before && action != null) {
        out.add(
            new Policy(
                name, match, schedule, when, action, cooldown, dryRun, maxConcurrent, windows, zone,
                jitter));
      }
    }
    return out;
  }

  private static PolicyMatch match(Reader r, Object node, String path) {
    Map<String, Object> m = r.mapping(node, path, List.of("domains", "os_ids", "require_support"));
    List<String> domains = r.strings(m, path, "domains", PolicyMatch.ALL.domains());
    if (m.get("domains") != null && domains.isEmpty() && m.get("domains") instanceof List) {
      r.problem(path + "/domains", "matches no domain (give at least one glob; \"*\" for every domain)");
    }
    return new PolicyMatch(
        domains.isEmpty() ? PolicyMatch.ALL.domains() : domains,
        r.strings(m, path, "os_ids", List.of()),
        r.bool(m, path, "require_support", true));
  }

  private static void checkCron(Reader r, String cron, String path) {
    try {
      if (Schedule.parse(cron).nextAfter(ZoneId.of("UTC"), Instant.now()).isEmpty()) {
        r.problem(path, "\"" + cron + "\" never fires");
      }
    } catch (IllegalArgumentException e) {
      r.problem(path, e.getMessage());
    }
  }

  private static PolicyConditions when(Reader r, Object node, String path) {
    Map<String, Object> m = r.mapping(node, path, WHEN_KEYS);
    boolean any = WHEN_KEYS.stream().anyMatch(k -> m.get(k) != null);
    if (!any) {
      if (node == null || (node instanceof Map<?, ?> raw && raw.isEmpty())) {
        r.problem(path, "sets no condition (valid: " + String.join(", ", WHEN_KEYS) + ")");
      }
      return null;
    }
    Optional<Duration> offset = r.optionalDuration(m, path, "time_offset_above", false);
    OptionalDouble ratio = r.ratio(m, path, "filesystem_used_ratio_above");
    Optional<Duration> since = r.optionalDuration(m, path, "since_last_success_above", false);
    Optional<Boolean> connected = r.optionalBool(m, path, "agent_connected");
    Optional<Duration> jumped = r.optionalDuration(m, path, "clock_jumped_above", true);
    return new PolicyConditions(offset, ratio, since, connected, jumped);
  }

  private static PolicyAction action(Reader r, Object node, String path) {
    if (node == null) {
      r.problem(
          path.substring(0, path.lastIndexOf('/')),
          "needs an action (valid: " + String.join(", ", PolicyAction.NAMES) + ")");
      return null;
    }
    Map<String, Object> m = r.mapping(node, path, PolicyAction.NAMES, "action", Map.of());
    if (m.size() > 1) {
      r.problem(path, "has " + m.size() + " actions (" + String.join(", ", m.keySet()) + "): a rule runs exactly one");
      return null;
    }
    if (m.isEmpty()) {
      if (node instanceof Map<?, ?> raw && raw.isEmpty()) {
        r.problem(path, "needs an action (valid: " + String.join(", ", PolicyAction.NAMES) + ")");
      }
      return null;
    }
    String name = m.keySet().iterator().next();
    String p = path + "/" + name;
    if (name.equals("fstrim")) {
      Map<String, Object> f = r.mapping(m.get(name), p, List.of("minimum"));
      return new PolicyAction.Fstrim(r.integer(f, p, "minimum", 0L, 0L, Long.MAX_VALUE));
    }
    Map<String, Object> t = r.mapping(m.get(name), p, List.of("source", "max_step"));
    PolicyAction.TimeSource source = PolicyAction.TimeSource.HOST;
    String s = r.string(t, p, "source");
    if (s != null) {
      switch (s.trim()) {
        case "host" -> source = PolicyAction.TimeSource.HOST;
        case "rtc" -> source = PolicyAction.TimeSource.RTC;
        default -> r.problem(p + "/source", "\"" + s + "\" is not a time source (valid: host, rtc)");
      }
    }
    return new PolicyAction.TimeSync(source, r.duration(t, p, "max_step", Duration.ofHours(1), true));
  }

  private static Path stateDir(Reader r, Map<String, Object> m) {
    Path dir = r.path(m, "", "state_dir", Config.DEFAULT_STATE_DIR);
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      r.problem("/state_dir", dir + " is a file, not a directory");
    }
    return dir;
  }
}
