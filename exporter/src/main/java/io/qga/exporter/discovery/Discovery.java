package io.qga.exporter.discovery;

import io.qga.client.AgentAddress;
import io.qga.exporter.config.DiscoveryConfig;
import io.qga.exporter.config.GlobPattern;
import io.qga.exporter.config.StaticDomain;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the domains to poll: static entries, libvirt's live XML and socket globs, merged by
 * domain name. When two sources name the same domain, static wins over libvirt, libvirt over a
 * glob (the first glob over later ones); each conflict is logged once while it lasts, as is each
 * skipped libvirt file. Call {@link #refresh()} every {@code refresh_interval}; compare results
 * with {@link DiscoveryDiff#between}. What a refresh could not read (libvirt's run dir as a
 * non-root user, with no read-only libvirt connection either; a glob directory; a directory
 * hiding a static socket) is counted per source in {@link #errors()}, explained with its fix in
 * {@link #problems()} and logged once per change.
 */
public final class Discovery {
  private static final System.Logger LOG = System.getLogger(Discovery.class.getName());

  private final DiscoveryConfig config;
  private final List<SocketGlob> globs;
  /** Conditions logged and still present: logged again only after they went away. */
  private Set<String> logged = new HashSet<>();

  private final LibvirtSource libvirt;
  private volatile Map<String, Integer> errors = Map.of();
  private volatile List<String> problems = List.of();

  public Discovery(DiscoveryConfig config) {
    this(config, LibvirtSource.JNA);
  }

  Discovery(DiscoveryConfig config, LibvirtSource.DomainLister lister) {
    this.config = config;
    this.globs = config.globs().stream().map(GlobPattern::pattern).map(SocketGlob::new).toList();
    this.libvirt = new LibvirtSource(config.libvirt(), lister, System.getProperty("user.name", "?"));
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
    for (StaticDomain s : config.statics()) {
      add(merged, seen, new Entry("static", new DiscoveredDomain(s.domain(), Optional.empty(), new Route.Direct(s.address()))));
    }
    Map<String, Integer> errorsNow = new LinkedHashMap<>();
    List<String> problemsNow = new ArrayList<>();
    SourceAccess.statics(config.statics(), errorsNow, problemsNow);
    if (config.libvirt().enabled()) {
      LibvirtSource.Outcome lv = libvirt.refresh();
      lv.found().forEach(f -> add(merged, seen, new Entry(f.source(), f.domain())));
      lv.logs().forEach(s -> once(seen, s.key(), s.reason(), s.warn() ? Level.WARNING : Level.INFO));
      errorsNow.putAll(lv.errors());
      problemsNow.addAll(lv.problems());
    }
    for (SocketGlob glob : globs) {
      for (var e : glob.scan(SourceAccess.globDirectory(glob, errorsNow, problemsNow)).entrySet()) {
        add(
            merged,
            seen,
            new Entry(
                "glob " + glob,
                new DiscoveredDomain(e.getKey(), Optional.empty(), new Route.Direct(AgentAddress.unix(e.getValue())))));
      }
    }
    problemsNow.forEach(p -> once(seen, "problem:" + p, p, Level.WARNING));
    merged.values().forEach(e -> SourceAccess.connectable(e.domain(), (k, m) -> once(seen, k, m, Level.WARNING)));
    errors = Map.copyOf(errorsNow);
    problems = List.copyOf(problemsNow);
    logged.retainAll(seen);
    List<DiscoveredDomain> out = new ArrayList<>();
    merged.values().forEach(e -> out.add(e.domain()));
    out.sort(Comparator.comparing(DiscoveredDomain::name));
    return List.copyOf(out);
  }

  private record Entry(String source, DiscoveredDomain domain) {}

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
