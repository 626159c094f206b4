package io.qga.exporter.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * The real {@link LibvirtBackend}: one {@link Connect} (JNA, {@code libvirt.so.0}). Loaded only
 * when a libvirt route is used, so a host without the native library runs fine until then. libvirt
 * connections are thread-safe; calls for different domains run concurrently.
 */
final class JnaLibvirt implements LibvirtBackend {
  private static final int VIR_DOMAIN_REBOOT_GUEST_AGENT = 2;

  /**
   * Replaces libvirt's default error function, which prints every error to stderr: errors reach us
   * as exceptions already, and a broken guest must not flood the log. Held in a field so JNA keeps
   * the native callback alive.
   */
  private static final org.libvirt.jna.Libvirt.VirErrorCallback SILENT = (userData, error) -> {};

  private static volatile boolean silenced;

  private final JnaGuestCalls.TypedConnect connect;
  private final JnaGuestCalls guest;

  JnaLibvirt(String uri) throws LibvirtFailure {
    this(uri, false);
  }

  private JnaLibvirt(String uri, boolean readOnly) throws LibvirtFailure {
    try {
      if (!silenced) {
        Connect.setErrorCallback(SILENT);
        silenced = true;
      }
      this.connect = new JnaGuestCalls.TypedConnect(uri, readOnly);
      this.guest = new JnaGuestCalls(connect);
    } catch (LibvirtException e) {
      throw failure(e);
    }
  }

  /**
   * The live XML of every active domain, over a read-only connection ({@code VIR_CONNECT_RO}, which
   * libvirtd lets any local user open by default: its read-only socket is 0777) opened and closed
   * per call, so a restarted libvirtd costs nothing but one failed refresh. The 0.5.2 binding has
   * no {@code virConnectListAllDomains}: active domain ids, then each by id; a domain that stops in
   * between is left out. At most {@code max} domains, each XML at most {@code maxBytes} characters
   * (longer ones are returned cut, and fail to parse).
   */
  static List<String> activeDomainXml(String uri, int max, long maxBytes) throws LibvirtFailure {
    JnaLibvirt lv;
    try {
      lv = new JnaLibvirt(uri, true);
    } catch (LinkageError e) {
      // JNA unpacks its own native part into java.io.tmpdir (or jna.tmpdir): that must be writable
      throw new LibvirtFailure(
          "",
          "cannot load libvirt through JNA (Debian: apt-get install libvirt0; JNA also needs a"
              + " writable java.io.tmpdir or -Djna.tmpdir): "
              + e);
    }
    try {
      int[] ids = lv.connect.listDomains();
      List<String> out = new ArrayList<>();
      for (int i = 0; i < ids.length && out.size() < max; i++) {
        Domain d;
        try {
          d = lv.connect.domainLookupByID(ids[i]);
        } catch (LibvirtException e) {
          continue; // stopped since the listing
        }
        try {
          String xml = d.getXMLDesc(0);
          if (xml != null) {
            out.add(xml.length() > maxBytes ? xml.substring(0, (int) maxBytes) : xml);
          }
        } catch (LibvirtException e) {
          if (!"VIR_ERR_NO_DOMAIN".equals(failure(e).code())) {
            throw failure(e);
          }
        } finally {
          free(d);
        }
      }
      return out;
    } catch (LibvirtException e) {
      throw failure(e);
    } finally {
      lv.close();
    }
  }

  @Override
  public String qemuAgentCommand(
      String domain, Optional<String> uuid, String json, int timeoutSeconds) throws LibvirtFailure {
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
  public LibvirtGuestCalls guest() {
    return guest;
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
      return uuid.isPresent()
          ? connect.domainLookupByUUIDString(uuid.get())
          : connect.domainLookupByName(domain);
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
      code =
          e.getError() == null || e.getError().getCode() == null
              ? ""
              : e.getError().getCode().name();
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
