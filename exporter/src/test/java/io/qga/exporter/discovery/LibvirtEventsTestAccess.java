package io.qga.exporter.discovery;

/** Lets tests in other packages skip (or fail under QGA_REQUIRE_REAL) without libvirt.so.0. */
public final class LibvirtEventsTestAccess {
  private LibvirtEventsTestAccess() {}

  public static void requireLibvirt() {
    LibvirtSourceTest.requireLibvirt();
  }
}
