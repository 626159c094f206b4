package io.qga.exporter.config;

import java.util.Locale;

/** API roles, ordered: each role may do everything the roles before it may. */
public enum Role {
  READER,
  OPERATOR,
  ADMIN;

  /** True when this role may do what {@code required} may. */
  public boolean atLeast(Role required) {
    return compareTo(required) >= 0;
  }

  /** The config spelling: reader, operator, admin. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
