package io.qga.exporter.discovery;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * libvirt's typed parameters ({@code virTypedParameter} arrays) as read from one call: field name
 * to value, a {@link String}, {@link Integer}, {@link Long}, {@link Double} or {@link Boolean}
 * (unsigned values arrive as their bits in a signed Java type). The values come from the guest
 * through libvirt: every accessor tolerates a missing field or one of another type, and counts are
 * capped.
 */
record TypedParams(Map<String, Object> values) {
  /** The most entries of one list (users, filesystems, interfaces, addresses) read. */
  static final int MAX_ITEMS = 4096;

  TypedParams {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  static TypedParams of(Map<String, Object> values) {
    return new TypedParams(values);
  }

  String string(String field) {
    return values.get(field) instanceof String s ? s : null;
  }

  /** An integer field of any width, or null. */
  Long number(String field) {
    Object v = values.get(field);
    if (v instanceof Integer i) {
      return (long) i;
    }
    if (v instanceof Long l) {
      return l;
    }
    return null;
  }

  Boolean bool(String field) {
    return values.get(field) instanceof Boolean b ? b : null;
  }

  /** The {@code PREFIX.count} field, between 0 and {@link #MAX_ITEMS}. */
  int count(String prefix) {
    Long n = number(prefix + ".count");
    return n == null ? 0 : (int) Math.max(0, Math.min(n, MAX_ITEMS));
  }

  boolean has(String field) {
    return values.containsKey(field);
  }
}
