package io.qga.exporter.discovery;

import io.qga.client.AgentAddress;
import io.qga.collectors.LabelValues;
import io.qga.collectors.Limits;
import io.qga.exporter.config.ProxmoxConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code discovery.proxmox}: the running VMs of a Proxmox VE node. Each {@code socket_dir/VMID.qga}
 * unix socket (QEMU serves it while the VM runs with the agent option on) is one domain; {@code
 * config_dir/VMID.conf} gives its name ({@code name:}, else the VMID) and UUID ({@code smbios1:
 * uuid=...}).
 *
 * <p>The socket decides, not the conf's {@code agent:} line: a socket means the running QEMU has
 * the channel (the option may have been turned off since the VM started, a pending change, or the
 * channel comes from {@code args:}); such a VM is polled and an info line says so once. A socket
 * without a conf is polled under its VMID.
 *
 * <p>Two VMs with one name: the lowest VMID keeps the name, the others become {@code NAME-VMID} (a
 * warning once while it lasts). Names are admin-written but become label values and API path
 * segments: cleaned like guest strings, and one that is empty or has {@code /} falls back to the
 * VMID. Bounded: {@link #MAX_ENTRIES} directory entries and {@link #MAX_SOCKETS} sockets looked at,
 * {@link #MAX_CONF_BYTES} read per conf.
 */
final class ProxmoxNode {
  private static final Logger LOG = Logger.getLogger(ProxmoxNode.class.getName());

  static final int MAX_SOCKETS = 10_000;

  /** Directory entries looked at per refresh (Proxmox keeps .qmp, .pid and more beside .qga). */
  static final int MAX_ENTRIES = 100_000;

  /** Only the current config is read: it comes before the first [snapshot] section. */
  static final int MAX_CONF_BYTES = 256 * 1024;

  private static final Pattern SOCKET = Pattern.compile("([1-9][0-9]{0,8})\\.qga");
  private static final int MAX_NAME = Limits.DEFAULT.maxLabelLength();

  private final ProxmoxConfig config;

  /** Conditions logged and still present: logged again only after they went away. */
  private Set<String> logged = new HashSet<>();

  ProxmoxNode(ProxmoxConfig config) {
    this.config = config;
  }

  /** What a VM's conf says; empty fields when it does not say. */
  record VmConf(Optional<String> name, Optional<String> uuid, boolean agent) {
    static final VmConf NONE = new VmConf(Optional.empty(), Optional.empty(), false);
  }

  /** The domains now, in VMID order. Never throws: unreadable parts give nothing. */
  synchronized List<DiscoveredDomain> scan() {
    Set<String> seen = new HashSet<>();
    TreeMap<Integer, Path> sockets = sockets(config.socketDir());
    Map<Integer, VmConf> confs = new TreeMap<>();
    Map<String, Integer> firstByName = new TreeMap<>();
    for (var e : sockets.entrySet()) {
      int vmid = e.getKey();
      VmConf conf = readConf(config.configDir().resolve(vmid + ".conf"), vmid, seen);
      confs.put(vmid, conf);
      firstByName.putIfAbsent(name(vmid, conf), vmid);
    }
    List<DiscoveredDomain> out = new ArrayList<>();
    for (var e : sockets.entrySet()) {
      int vmid = e.getKey();
      VmConf conf = confs.get(vmid);
      String name = name(vmid, conf);
      int first = firstByName.get(name);
      if (first != vmid) {
        String unique = name + "-" + vmid;
        once(
            seen,
            "dup:" + vmid + ":" + name,
            "Proxmox VMs "
                + first
                + " and "
                + vmid
                + " are both named "
                + name
                + ": VM "
                + vmid
                + " is "
                + unique
                + " (rename one in Proxmox to choose)",
            Level.WARNING);
        name = unique;
      }
      if (!conf.agent() && conf != VmConf.NONE) {
        once(
            seen,
            "noagent:" + vmid,
            "Proxmox VM "
                + vmid
                + " has an agent socket but its conf does not enable the agent"
                + " (changed while running?): polled while the socket is there",
            Level.INFO);
      }
      try {
        out.add(
            new DiscoveredDomain(
                name, conf.uuid(), new Route.Direct(AgentAddress.unix(e.getValue()))));
      } catch (IllegalArgumentException ex) {
        once(seen, "path:" + vmid, "Proxmox VM " + vmid + ": " + ex.getMessage(), Level.WARNING);
      }
    }
    logged.retainAll(seen);
    return out;
  }

  /** The domain name: the conf's name when usable, else the VMID. */
  static String name(int vmid, VmConf conf) {
    String cleaned = conf.name().map(n -> LabelValues.clean(n, MAX_NAME)).orElse("");
    return cleaned.isBlank() || cleaned.indexOf('/') >= 0 ? Integer.toString(vmid) : cleaned;
  }

  /** Every {@code VMID.qga} unix socket in the directory, by VMID, at most {@link #MAX_SOCKETS}. */
  static TreeMap<Integer, Path> sockets(Path dir) {
    TreeMap<Integer, Path> out = new TreeMap<>();
    int looked = 0;
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path p : stream) {
        if (++looked > MAX_ENTRIES || out.size() >= MAX_SOCKETS) {
          break;
        }
        Matcher m = SOCKET.matcher(p.getFileName().toString());
        if (m.matches() && SocketGlob.isSocket(p)) {
          out.put(Integer.parseInt(m.group(1)), p);
        }
      }
    } catch (IOException | SecurityException e) {
      return out; // no directory: no VM running (or not a Proxmox node)
    }
    return out;
  }

  private VmConf readConf(Path file, int vmid, Set<String> seen) {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_CONF_BYTES);
    } catch (NoSuchFileException e) {
      once(
          seen,
          "noconf:" + vmid,
          "Proxmox VM " + vmid + " has a socket but no " + file + ": named " + vmid,
          Level.INFO);
      return VmConf.NONE;
    } catch (IOException | SecurityException e) {
      once(
          seen,
          "conf:" + vmid,
          "cannot read " + file + ": " + e.getMessage() + " (VM named " + vmid + ")",
          Level.WARNING);
      return VmConf.NONE;
    }
    return parse(new String(bytes, StandardCharsets.UTF_8));
  }

  /**
   * The current config's {@code name}, {@code smbios1} uuid and {@code agent} flag; snapshot
   * sections ({@code [name]}) and every other key are ignored.
   */
  static VmConf parse(String text) {
    Optional<String> name = Optional.empty();
    Optional<String> uuid = Optional.empty();
    boolean agent = false;
    for (String line : text.split("\n", -1)) {
      String l = line.strip();
      if (l.startsWith("[")) {
        break; // a snapshot or pending section: not the running config
      }
      int colon = l.indexOf(':');
      if (l.startsWith("#") || colon <= 0) {
        continue;
      }
      String key = l.substring(0, colon).strip();
      String value = l.substring(colon + 1).strip();
      switch (key) {
        case "name" -> name = value.isEmpty() ? Optional.empty() : Optional.of(value);
        case "agent" -> agent = agentEnabled(value);
        case "smbios1" ->
            uuid = option(value, "uuid").filter(u -> u.matches("[0-9a-fA-F-]{32,36}"));
        default -> {}
      }
    }
    return new VmConf(name, uuid, agent);
  }

  /** {@code 1}, {@code enabled=1}, {@code 1,fstrim_cloned_disks=1}: enabled is the default key. */
  static boolean agentEnabled(String value) {
    for (String part : value.split(",")) {
      String p = part.strip();
      int eq = p.indexOf('=');
      if (eq < 0) {
        return truthy(p);
      }
      if (p.substring(0, eq).strip().equals("enabled")) {
        return truthy(p.substring(eq + 1).strip());
      }
    }
    return false;
  }

  private static boolean truthy(String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "1", "yes", "on", "true" -> true;
      default -> false;
    };
  }

  private static Optional<String> option(String value, String key) {
    for (String part : value.split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0 && part.substring(0, eq).strip().equals(key)) {
        return Optional.of(part.substring(eq + 1).strip());
      }
    }
    return Optional.empty();
  }

  private void once(Set<String> seen, String key, String message, Level level) {
    seen.add(key);
    if (logged.add(key)) {
      LOG.log(level, "discovery: " + message);
    }
  }
}
