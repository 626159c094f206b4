package io.qga.exporter.config;

import io.qga.collectors.Limits;
import io.qga.exporter.runtime.LogFormat;
import io.qga.exporter.runtime.LogLevel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads {@code config.yaml} into a {@link Config}: SnakeYAML (safe constructor, bounded: aliases,
 * nesting, size) gives plain maps, then a strict pass checks every key and value and collects every
 * problem with its YAML path. An empty file gives {@link Config#defaults()}. Relative paths in the
 * file are relative to the file's directory.
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
              + (mark == null
                  ? ""
                  : " (line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ")"));
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
      r.problem(
          "/",
          "the config must be a mapping of sections ("
              + String.join(", ", SECTIONS)
              + "), got "
              + Reader.describe(root));
      return Config.defaults();
    }
    Map<String, Object> m = r.mapping(root, "", SECTIONS);
    PolicyDefaults policyDefaults = PolicySection.policyDefaults(r, m.get("policy_defaults"));
    ServerConfig server = ServerSection.server(r, m.get("server"));
    DiscoveryConfig discovery = DiscoverySection.discovery(r, m.get("discovery"));
    AgentConfig agent = agent(r, m.get("agent"));
    CollectorsConfig collectors = collectors(r, m.get("collectors"));
    Limits limits = limits(r, m.get("limits"));
    ApiConfig api = ApiSection.api(r, m.get("api"));
    TlsKeys.checkApart(r, server, api);
    // a guest-file-read reply carries a chunk as base64 (4 characters per 3 bytes)
    long readReply = (api.exec().chunkSize() + 2L) / 3 * 4 + 256;
    if (readReply > agent.maxReplySize()) {
      r.problem(
          "/api/exec/chunk_size",
          api.exec().chunkSize()
              + " bytes need replies of "
              + readReply
              + " bytes, more than agent.max_reply_size ("
              + agent.maxReplySize()
              + ")");
    }
    return new Config(
        server,
        discovery,
        agent,
        collectors,
        limits,
        api,
        policyDefaults,
        PolicySection.policies(r, m.get("policies")),
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

  private static AgentConfig agent(Reader r, Object node) {
    String path = "/agent";
    AgentConfig d = AgentConfig.DEFAULT;
    Map<String, Object> m =
        r.mapping(
            node,
            path,
            List.of("command_timeout", "connect_timeout", "backoff_max", "max_reply_size"));
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
              r.duration(
                  c, p, "interval", CollectorsConfig.DEFAULT_INTERVALS.get(e.getKey()), true)));
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

  private static Path stateDir(Reader r, Map<String, Object> m) {
    Path dir = r.path(m, "", "state_dir", Config.DEFAULT_STATE_DIR);
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      r.problem("/state_dir", dir + " is a file, not a directory");
    }
    return dir;
  }
}
