package io.qga.exporter.config;

import io.qga.client.AgentAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads {@code discovery} (static sockets, globs, libvirt, Proxmox) for {@link ConfigLoader}. */
final class DiscoverySection {
  private DiscoverySection() {}

  static DiscoveryConfig discovery(Reader r, Object node) {
    String path = "/discovery";
    DiscoveryConfig d = DiscoveryConfig.DEFAULT;
    Map<String, Object> m =
        r.mapping(node, path, List.of("refresh_interval", "static", "globs", "libvirt", "proxmox"));
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
        r.problem(
            p + "/domain", "duplicate domain '" + domain + "' (first at " + seen.get(domain) + ")");
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
              "\""
                  + sp
                  + "\" is "
                  + bytes
                  + " bytes long; a unix socket path holds at most "
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
        r.problem(
            p + "/pattern",
            "\""
                + pattern
                + "\" has no * (the text the first * matches is the domain name; for one socket use"
                + " discovery.static)");
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
        r.mapping(
            m.get("libvirt"),
            lp,
            List.of(
                "enabled",
                "run_dir",
                "uri",
                "use_libvirt_channel",
                "source",
                "allow_raw_agent_commands"));
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
            source,
            r.bool(l, lp, "allow_raw_agent_commands", lv.allowRawAgentCommands()));
    ProxmoxConfig proxmox = ProxmoxConfig.read(r, m.get("proxmox"), path + "/proxmox");
    return new DiscoveryConfig(refresh, statics, globs, libvirt, proxmox);
  }
}
