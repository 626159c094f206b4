package io.qga.exporter.discovery;

import io.qga.exporter.config.LibvirtConfig;
import io.qga.exporter.config.LibvirtConfig.Source;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code discovery.libvirt}: the running domains, from libvirt's run dir or from its API.
 *
 * <p>libvirt writes {@code run_dir/*.xml} root-only (0600): no group lets a non-root user read
 * them. With {@code source: auto} (the default) the run dir is used while every file in it can be
 * read (root: no libvirt connection needed, works while libvirtd restarts); when the directory or
 * any file cannot be read, the domains come from libvirt's API over a read-only connection instead,
 * which libvirtd grants any local user by default. When neither works, every refresh says so: an
 * error count per source ({@code qga_discovery_errors}) and a problem text naming the path, the
 * user and the fix. A missing run dir is not an error: libvirt's QEMU driver never ran.
 */
final class LibvirtSource {
  static final String RUN_DIR = "libvirt_run_dir";
  static final String API = "libvirt_api";
  static final String DOCS = "docs/operations.md, \"Privileges\"";

  /**
   * Lists the live XML of every active domain; the real one is {@link JnaLibvirt#activeDomainXml}.
   */
  interface DomainLister {
    List<String> activeDomainXml(String uri) throws LibvirtFailure;
  }

  static final DomainLister JNA =
      uri -> JnaLibvirt.activeDomainXml(uri, LibvirtRunDir.MAX_FILES, LibvirtRunDir.MAX_FILE_BYTES);

  /** A domain and where it came from (for conflict logs). */
  record Found(String source, DiscoveredDomain domain) {}

  /**
   * One refresh.
   *
   * @param logs conditions to log once while they last (warn: WARNING, else INFO)
   * @param errors entries or sources that could not be read, by source name
   * @param problems what an operator must fix, each with the fix (the caller logs them)
   */
  record Outcome(
      List<Found> found,
      List<LibvirtRunDir.Skipped> logs,
      Map<String, Integer> errors,
      List<String> problems) {}

  private record Cached(FileTime modified, long size, LibvirtRunDir.Result result) {}

  private final LibvirtConfig config;
  private final DomainLister lister;
  private final String user;

  /**
   * What the last successful API listing found: kept while libvirtd cannot be reached (it restarts
   * in seconds, its domains keep running), so a refresh in that window drops no domain.
   */
  private List<Found> lastFromApi = List.of();

  /** Parsed files by path; a file is parsed again only when its time or size changed. */
  private final Map<Path, Cached> parsed = new HashMap<>();

  LibvirtSource(LibvirtConfig config, DomainLister lister, String user) {
    this.config = config;
    this.lister = lister;
    this.user = user;
  }

  Outcome refresh() {
    Source mode = config.source();
    Map<String, Integer> errors = new LinkedHashMap<>();
    List<LibvirtRunDir.Skipped> logs = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<Found> fromFiles = new ArrayList<>();
    String runDirFailure = null;
    int runDirErrors = 0;
    if (mode != Source.API) {
      LibvirtRunDir.Listing listing = LibvirtRunDir.list(config.runDir());
      int unreadable = 0;
      for (Path file : listing.files()) {
        LibvirtRunDir.Result result = readCached(file);
        if (result instanceof LibvirtRunDir.Found f) {
          fromFiles.add(new Found("libvirt " + file, routed(f.domain(), RUN_DIR)));
        } else if (result instanceof LibvirtRunDir.Skipped s) {
          logs.add(s);
        } else {
          unreadable++;
        }
      }
      parsed.keySet().retainAll(new HashSet<>(listing.files()));
      if (listing.error() != null) {
        runDirErrors = 1;
        runDirFailure =
            "cannot list libvirt's run dir "
                + config.runDir()
                + " as user "
                + user
                + " ("
                + listing.error()
                + ")";
      } else if (unreadable > 0) {
        runDirErrors = unreadable;
        runDirFailure =
            "cannot read "
                + unreadable
                + " of "
                + listing.files().size()
                + " domain files in libvirt's run dir "
                + config.runDir()
                + " as user "
                + user
                + " (libvirt writes them root-only, 0600; no group can grant"
                + " read access)";
      }
      errors.put(RUN_DIR, 0);
    }
    if (mode != Source.RUN_DIR) {
      errors.put(API, 0);
    }
    if (mode == Source.RUN_DIR || (mode == Source.AUTO && runDirFailure == null)) {
      if (runDirFailure != null) {
        errors.put(RUN_DIR, runDirErrors);
        problems.add(
            runDirFailure
                + ": their domains are missing. Fix: set discovery.libvirt.source: auto (or api) to"
                + " list domains through libvirt's read-only API, or run as root; see "
                + DOCS);
      }
      return new Outcome(fromFiles, logs, errors, problems);
    }
    List<String> xml;
    try {
      xml = lister.activeDomainXml(config.uri());
    } catch (LibvirtFailure | RuntimeException e) {
      errors.put(API, 1);
      String why =
          "cannot list domains through a read-only libvirt connection to "
              + config.uri()
              + " as user "
              + user
              + " ("
              + e.getMessage()
              + ")";
      if (runDirFailure != null) {
        errors.put(RUN_DIR, runDirErrors);
        why = runDirFailure + ", and " + why;
      }
      problems.add(
          why
              + ": libvirt domains are missing. Fix: let "
              + user
              + " open libvirt read-only (libvirtd's read-only socket, unix_sock_ro_perms, is 0777"
              + " by default; with polkit, polkitd must run; with unix_sock_group, add the user to"
              + " that group), or run as root; see "
              + DOCS);
      return new Outcome(lastFromApi.isEmpty() ? fromFiles : lastFromApi, logs, errors, problems);
    }
    if (runDirFailure != null) {
      logs.add(
          new LibvirtRunDir.Skipped(
              "libvirt:fallback:" + runDirFailure,
              runDirFailure
                  + ": listing domains through libvirt's API over a read-only connection to "
                  + config.uri()
                  + " instead",
              false));
    }
    List<Found> fromApi = new ArrayList<>();
    for (int i = 0; i < xml.size(); i++) {
      LibvirtRunDir.Result r =
          LibvirtRunDir.parse(
              xml.get(i).getBytes(StandardCharsets.UTF_8),
              "the live XML of active domain #" + i + " from " + config.uri(),
              config.useLibvirtChannel());
      if (r instanceof LibvirtRunDir.Found f) {
        fromApi.add(new Found("libvirt API " + config.uri(), routed(f.domain(), API)));
      } else if (r instanceof LibvirtRunDir.Skipped s) {
        logs.add(s);
      }
    }
    lastFromApi = List.copyOf(fromApi);
    return new Outcome(fromApi, logs, errors, problems);
  }

  /** Tags the source, and makes a libvirt route raw when the operator allows raw commands. */
  private DiscoveredDomain routed(DiscoveredDomain d, String source) {
    DiscoveredDomain out = d.withSource(source);
    if (d.route() instanceof Route.Libvirt lv && config.allowRawAgentCommands() != lv.raw()) {
      out =
          out.withRoute(
              new Route.Libvirt(lv.domainName(), lv.uuid(), config.allowRawAgentCommands()));
    }
    return out;
  }

  private LibvirtRunDir.Result readCached(Path file) {
    try {
      FileTime modified = Files.getLastModifiedTime(file);
      long size = Files.size(file);
      Cached c = parsed.get(file);
      if (c != null && c.modified().equals(modified) && c.size() == size) {
        return c.result();
      }
      LibvirtRunDir.Result result = LibvirtRunDir.read(file, config.useLibvirtChannel());
      if (result instanceof LibvirtRunDir.Unreadable) {
        parsed.remove(file); // a chmod changes no mtime: try again next time
      } else {
        parsed.put(file, new Cached(modified, size, result));
      }
      return result;
    } catch (IOException e) {
      parsed.remove(file);
      return LibvirtRunDir.read(file, config.useLibvirtChannel());
    }
  }
}
