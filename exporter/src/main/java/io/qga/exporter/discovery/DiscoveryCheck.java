package io.qga.exporter.discovery;

import io.qga.exporter.config.DiscoveryConfig;
import io.qga.exporter.config.GlobPattern;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * For {@code check-config}: one discovery pass as the current user, answering only what it could
 * not read (each with its fix), without logging. The same checks the daemon's refresh makes.
 */
public final class DiscoveryCheck {
  private DiscoveryCheck() {}

  public static List<String> problems(DiscoveryConfig config) {
    return problems(config, LibvirtSource.JNA);
  }

  static List<String> problems(DiscoveryConfig config, LibvirtSource.DomainLister lister) {
    Map<String, Integer> errors = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    SourceAccess.statics(config.statics(), errors, problems);
    if (config.libvirt().enabled()) {
      problems.addAll(
          new LibvirtSource(config.libvirt(), lister, System.getProperty("user.name", "?"))
              .refresh()
              .problems());
    }
    for (GlobPattern g : config.globs()) {
      SocketGlob glob = new SocketGlob(g.pattern());
      glob.scan(SourceAccess.globDirectory(glob, errors, problems));
    }
    return List.copyOf(problems);
  }
}
