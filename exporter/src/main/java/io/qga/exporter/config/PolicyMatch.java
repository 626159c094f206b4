package io.qga.exporter.config;

import java.util.List;

/**
 * {@code policies[].match}: which domains a rule applies to.
 *
 * @param domains domain-name globs; a domain matches when any glob does
 * @param osIds guest OS ids ({@code guest-get-osinfo} {@code id}, e.g. debian, mswindows); empty
 *     means any OS
 * @param requireSupport only domains whose agent offers the action's command
 */
public record PolicyMatch(List<String> domains, List<String> osIds, boolean requireSupport) {
  public static final PolicyMatch ALL = new PolicyMatch(List.of("*"), List.of(), true);

  public PolicyMatch {
    domains = List.copyOf(domains);
    osIds = List.copyOf(osIds);
  }

  public boolean matchesDomain(String domain) {
    return domains.stream().anyMatch(g -> Glob.matches(g, domain));
  }

  /** True when no OS filter is set, or the guest's OS id is listed (null id: unknown, no match). */
  public boolean matchesOsId(String osId) {
    return osIds.isEmpty() || (osId != null && osIds.contains(osId));
  }
}
