package io.qga.exporter.discovery;

import java.util.Optional;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * The real {@link LibvirtBackend}: one {@link Connect} (JNA, {@code libvirt.so.0}). Loaded only
 * when a libvirt route is used, so a host without the native library runs fine until then.
 * libvirt connections are thread-safe; calls for different domains run concurrently.
 */
final class JnaLibvirt implements LibvirtBackend {
  private static final int VIR_DOMAIN_REBOOT_GUEST_AGENT = 2;

  /**
   * Replaces libvirt's default error function, which prints every error to stderr: errors reach
   * us as exceptions already, and a broken guest must not flood the log. Held in a field so JNA
   * keeps the native callback alive.
   */
  private static final org.libvirt.jna.Libvirt.VirErrorCallback SILENT = (userData, error) -> {};

  private static volatile boolean silenced;

  private final Connect connect;

  JnaLibvirt(String uri) throws LibvirtFailure {
    try {
      if (!silenced) {
        Connect.setErrorCallback(SILENT);
        silenced = true;
      }
      this.connect = new Connect(uri);
    } catch (LibvirtException e) {
      throw failure(e);
    }
  }

  @Override
  public String qemuAgentCommand(String domain, Optional<String> uuid, String json, int timeoutSeconds)
      throws LibvirtFailure {
    Domain d = lookup(domain, uuid);
    try {
      return d.qemuAgentCommand(json, timeoutSeconds, 0);
    } catch (LibvirtException e) {
      throw failure(e);
    } finally {
      free(d);
    }
  }

  @Override
  public void rebootThroughAgent(String domain, Optional<String> uuid) throws LibvirtFailure {
    Domain d = lookup(domain, uuid);
    try {
      d.reboot(VIR_DOMAIN_REBOOT_GUEST_AGENT);
    } catch (LibvirtException e) {
      throw failure(e);
    } finally {
      free(d);
    }
  }

  private Domain lookup(String domain, Optional<String> uuid) throws LibvirtFailure {
    try {
      return uuid.isPresent() ? connect.domainLookupByUUIDString(uuid.get()) : connect.domainLookupByName(domain);
    } catch (LibvirtException e) {
      throw failure(e);
    }
  }

  private static void free(Domain d) {
    try {
      d.free();
    } catch (LibvirtException | RuntimeException e) {
      // freeing a handle cannot fail in a way we could act on
    }
  }

  private static LibvirtFailure failure(LibvirtException e) {
    String code = "";
    try {
      code = e.getError() == null || e.getError().getCode() == null ? "" : e.getError().getCode().name();
    } catch (RuntimeException ignored) {
      // an error number this binding does not know
    }
    return new LibvirtFailure(code, e.getMessage());
  }

  @Override
  public void close() {
    try {
      connect.close();
    } catch (LibvirtException | RuntimeException e) {
      // closing a broken connection: nothing left to release
    }
  }
}
