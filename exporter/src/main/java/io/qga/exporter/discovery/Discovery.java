package io.qga.exporter.discovery;

import io.qga.client.AgentAddress;
import io.qga.collectors.LabelValues;
import io.qga.exporter.config.DiscoveryConfig;
import io.qga.exporter.config.GlobPattern;
import io.qga.exporter.config.StaticDomain;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Finds the domains to poll: static entries, libvirt's live XML, Proxmox VE's agent sockets and
 * socket globs, merged by domain name. When two sources name the same domain, static wins over
 * libvirt, libvirt over Proxmox, Proxmox over a glob (the first glob over later ones); each
 * conflict is logged once while it lasts, as is each skipped libvirt file. Call {@link #refresh()}
 * every {@code refresh_interval}; compare results with {@link DiscoveryDiff#between}. What a
 * refresh could not read (libvirt's run dir as a non-root user, with no read-only libvirt
 * connection either; a glob directory; a directory hiding a static socket) is counted per source in
 * {@link #errors()}, explained with its fix in {@link #problems()} and logged once per change.
 */
public final class Discovery {
  private static final Logger LOG = Logger.getLogger(Discovery.class.getName());

  private final DiscoveryConfig config;
  private final List<SocketGlob> globs;
  private final ProxmoxNode proxmox;

  /** Conditions logged and still present: logged again only after they went away. */
  private Set<String> logged = new HashSet<>();

  /** What the last refresh left out, by reason ({@link #dropped()}). */
  private Map<String, Long> dropped = Map.of();

  /** Reason: a directory held more matching entries than a glob keeps. */
  public static final String OVER_DIRECTORY_LIMIT = "over_directory_limit";

  /** Reason: a socket path longer than a unix socket address holds. */
  public static final String SOCKET_PATH_TOO_LONG = "socket_path_too_long";

  /** {@code qga_domain_info{source}} of a domain found in Proxmox VE's socket directory. */
  static final String PROXMOX = "proxmox";

  /** Longest domain name kept from a socket or libvirt name; longer ones are cut. */
  static final int MAX_NAME_LENGTH = 255;

  private final LibvirtSource libvirt;
  private volatile Map<String, Integer> errors = Map.of();
  private volatile List<String> problems = List.of();

  public Discovery(DiscoveryConfig config) {
    this(config, LibvirtSource.JNA);
  }

  Discovery(DiscoveryConfig config, LibvirtSource.DomainLister lister) {
    this.config = config;
    this.globs = config.globs().stream().map(GlobPattern::pattern).map(SocketGlob::new).toList();
    this.proxmox = new ProxmoxNode(config.proxmox());
    this.libvirt =
        new LibvirtSource(config.libvirt(), lister, System.getProperty("user.name", "?"));
  }

  /**
   * Per source ({@code static}, {@code glob}, {@code libvirt_run_dir}, {@code libvirt_api}; only
   * the configured ones): entries or sources the last refresh could not read.
   */
  public Map<String, Integer> errors() {
    return errors;
  }

  /** What the last refresh could not read, each with its fix; empty when all was read. */
  public List<String> problems() {
    return problems;
  }

  /** The domains now, sorted by name. Never throws: unreadable sources give nothing. */
  public synchronized List<DiscoveredDomain> refresh() {
    Set<String> seen = new HashSet<>();
    Map<String, Entry> merged = new LinkedHashMap<>();
    Map<String, Long> left = new LinkedHashMap<>();
    for (StaticDomain s : config.statics()) {
      add(
          merged,
          seen,
          new Entry(
              "static",
              new DiscoveredDomain(
                  s.domain(),
                  Optional.empty(),
                  new Route.Direct(s.address()),
                  SourceAccess.STATIC)));
    }
    Map<String, Integer> errorsNow = new LinkedHashMap<>();
    List<String> problemsNow = new ArrayList<>();
    SourceAccess.statics(config.statics(), errorsNow, problemsNow);
    if (config.libvirt().enabled()) {
      LibvirtSource.Outcome lv = libvirt.refresh();
      lv.found().forEach(f -> addFound(merged, seen, left, new Entry(f.source(), f.domain())));
      lv.logs()
          .forEach(s -> once(seen, s.key(), s.reason(), s.warn() ? Level.WARNING : Level.INFO));
      errorsNow.putAll(lv.errors());
      problemsNow.addAll(lv.problems());
    }
    for (DiscoveredDomain d :
        config.proxmox().enabled() ? proxmox.scan() : List.<DiscoveredDomain>of()) {
      add(
          merged,
          seen,
          new Entry("proxmox " + config.proxmox().socketDir(), d.withSource(PROXMOX)));
    }
    for (SocketGlob glob : globs) {
      for (var e : glob.scan(SourceAccess.globDirectory(glob, errorsNow, problemsNow)).entrySet()) {
        addFound(
            merged,
            seen,
            left,
            new Entry(
                "glob " + glob,
                new DiscoveredDomain(
                    e.getKey(),
                    Optional.empty(),
                    new Route.Direct(AgentAddress.unix(e.getValue())),
                    SourceAccess.GLOB)));
      }
      if (glob.cut() > 0) {
        left.merge(OVER_DIRECTORY_LIMIT, glob.cut(), Long::sum);
        // the count in the key: logged again when it changes, not on every refresh
        once(
            seen,
            "cut:" + glob + ":" + glob.cut(),
            "glob "
                + glob
                + ": a directory holds more matching entries than the "
                + SocketGlob.MAX_ENTRIES_PER_DIRECTORY
                + " kept per directory; kept the first by name, left out "
                + glob.cut(),
            Level.WARNING);
      }
    }
    dropped = Map.copyOf(left);
    problemsNow.forEach(p -> once(seen, "problem:" + p, p, Level.WARNING));
    merged
        .values()
        .forEach(
            e -> SourceAccess.connectable(e.domain(), (k, m) -> once(seen, k, m, Level.WARNING)));
    errors = Map.copyOf(errorsNow);
    problems = List.copyOf(problemsNow);
    logged.retainAll(seen);
    List<DiscoveredDomain> out = new ArrayList<>();
    merged.values().forEach(e -> out.add(e.domain()));
    out.sort(Comparator.comparing(DiscoveredDomain::name));
    return List.copyOf(out);
  }

  private record Entry(String source, DiscoveredDomain domain) {}

  /**
   * Entries the last refresh left out, by reason ({@link #OVER_DIRECTORY_LIMIT}, {@link
   * #SOCKET_PATH_TOO_LONG}); empty when nothing was.
   */
  public synchronized Map<String, Long> dropped() {
    return dropped;
  }

  /**
   * A glob or libvirt find: its name (a file name, a libvirt name) cleaned as guest label values
   * are, and skipped (logged once, counted) when its socket path cannot be connected to.
   */
  private void addFound(
      Map<String, Entry> merged, Set<String> seen, Map<String, Long> left, Entry entry) {
    DiscoveredDomain d = entry.domain();
    if (d.route() instanceof Route.Direct direct
        && direct.address() instanceof AgentAddress.Unix unix) {
      int bytes = AgentAddress.Unix.pathBytes(unix.path());
      if (bytes > AgentAddress.Unix.MAX_PATH_BYTES) {
        left.merge(SOCKET_PATH_TOO_LONG, 1L, Long::sum);
        once(
            seen,
            "long:" + unix.path(),
            "skipped the domain at "
                + unix.path()
                + " ("
                + entry.source()
                + "): the path is "
                + bytes
                + " bytes long, a unix socket path holds at most "
                + AgentAddress.Unix.MAX_PATH_BYTES,
            Level.WARNING);
        return;
      }
    }
    String name = LabelValues.clean(d.name(), MAX_NAME_LENGTH);
    if (!name.equals(d.name())) {
      entry =
          new Entry(entry.source(), new DiscoveredDomain(name, d.uuid(), d.route(), d.source()));
    }
    add(merged, seen, entry);
  }

  private void add(Map<String, Entry> merged, Set<String> seen, Entry entry) {
    Entry first = merged.putIfAbsent(entry.domain().name(), entry);
    if (first != null && !first.domain().route().equals(entry.domain().route())) {
      once(
          seen,
          "conflict:" + entry.domain().name() + ":" + entry.source() + ":" + entry.domain().route(),
          "domain "
              + entry.domain().name()
              + " found twice: using "
              + first.domain().route().describe()
              + " ("
              + first.source()
              + "), ignoring "
              + entry.domain().route().describe()
              + " ("
              + entry.source()
              + ")",
          Level.WARNING);
    }
  }

  private void once(Set<String> seen, String key, String message, Level level) {
    seen.add(key);
    if (logged.add(key)) {
      LOG.log(level, "discovery: " + message);
    }
  }
}
