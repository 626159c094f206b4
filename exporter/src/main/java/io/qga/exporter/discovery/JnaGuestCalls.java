package io.qga.exporter.discovery;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.libvirt.Connect;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/**
 * {@link LibvirtGuestCalls} through JNA on the connection of {@link JnaLibvirt}. The 0.5.2 binding
 * has none of these calls, so they are declared here against {@code libvirt.so.0} and use the
 * binding's connection pointer ({@link TypedConnect}).
 */
final class JnaGuestCalls implements LibvirtGuestCalls {
  /** sizeof(virTypedParameter) on LP64: char field[80], int type, 8-byte aligned union. */
  private static final int PARAM_SIZE = 96;

  private static final int FIELD_LENGTH = 80;
  private static final int SRC_AGENT = 1;
  private static final int TIME_SYNC = 1;
  private static final int SHUTDOWN_GUEST_AGENT = 2;
  private static final int REBOOT_GUEST_AGENT = 2;
  private static final Pattern AGENT_CHANNEL =
      Pattern.compile(
          "<target\\s+type=['\"]virtio['\"]\\s+name=['\"]org\\.qemu\\.guest_agent\\.0['\"]"
              + "\\s+state=['\"]connected['\"]");

  /** The calls the binding lacks; {@code Pointer} stands for every libvirt handle. */
  interface Api extends Library {
    Pointer virDomainLookupByUUIDString(Pointer conn, String uuid);

    Pointer virDomainLookupByName(Pointer conn, String name);

    int virDomainFree(Pointer domain);

    int virConnectGetLibVersion(Pointer conn, LongByReference version);

    int virDomainGetGuestInfo(
        Pointer domain, int types, PointerByReference params, IntByReference n, int flags);

    int virDomainGetGuestVcpus(
        Pointer domain, PointerByReference params, IntByReference n, int flags);

    void virTypedParamsFree(Pointer params, int n);

    int virDomainInterfaceAddresses(
        Pointer domain, PointerByReference ifaces, int source, int flags);

    void virDomainInterfaceFree(Pointer iface);

    int virDomainGetTime(Pointer domain, LongByReference seconds, IntByReference nanos, int flags);

    int virDomainSetTime(Pointer domain, long seconds, int nanos, int flags);

    int virDomainFSTrim(Pointer domain, String mountpoint, long minimum, int flags);

    int virDomainFSFreeze(Pointer domain, String[] mountpoints, int n, int flags);

    int virDomainFSThaw(Pointer domain, String[] mountpoints, int n, int flags);

    int virDomainShutdownFlags(Pointer domain, int flags);

    int virDomainReboot(Pointer domain, int flags);

    Pointer virDomainGetXMLDesc(Pointer domain, int flags);

    int virGetLastErrorCode();

    String virGetLastErrorMessage();
  }

  private static volatile Api api;

  private static Api api() {
    Api a = api;
    if (a == null) {
      a = Native.load("virt", Api.class);
      api = a;
    }
    return a;
  }

  /** The binding's connection, with its pointer in reach of these calls. */
  static final class TypedConnect extends Connect {
    TypedConnect(String uri, boolean readOnly) throws LibvirtException {
      super(uri, readOnly);
    }

    Pointer pointer() {
      return vcp.getPointer();
    }
  }

  private final TypedConnect connect;

  JnaGuestCalls(TypedConnect connect) {
    this.connect = connect;
  }

  @FunctionalInterface
  private interface OnDomain<T> {
    T call(Api a, Pointer domain) throws LibvirtFailure;
  }

  private <T> T withDomain(String name, Optional<String> uuid, OnDomain<T> call)
      throws LibvirtFailure {
    Api a = api();
    Pointer d =
        uuid.isPresent()
            ? a.virDomainLookupByUUIDString(connect.pointer(), uuid.get())
            : a.virDomainLookupByName(connect.pointer(), name);
    if (d == null) {
      throw lastError(a);
    }
    try {
      return call.call(a, d);
    } finally {
      a.virDomainFree(d);
    }
  }

  private static void check(Api a, int rc) throws LibvirtFailure {
    if (rc < 0) {
      throw lastError(a);
    }
  }

  private static LibvirtFailure lastError(Api a) {
    int code = a.virGetLastErrorCode();
    ErrorNumber[] known = ErrorNumber.values();
    String name = code > 0 && code < known.length ? known[code].name() : "";
    return new LibvirtFailure(name, a.virGetLastErrorMessage());
  }

  @Override
  public long libVersion() throws LibvirtFailure {
    Api a = api();
    LongByReference v = new LongByReference();
    check(a, a.virConnectGetLibVersion(connect.pointer(), v));
    return v.getValue();
  }

  @Override
  public TypedParams guestInfo(String domain, Optional<String> uuid, int types)
      throws LibvirtFailure {
    return withDomain(
        domain,
        uuid,
        (a, d) -> {
          PointerByReference params = new PointerByReference();
          IntByReference n = new IntByReference();
          check(a, a.virDomainGetGuestInfo(d, types, params, n, 0));
          return readParams(a, params.getValue(), n.getValue());
        });
  }

  @Override
  public TypedParams guestVcpus(String domain, Optional<String> uuid) throws LibvirtFailure {
    return withDomain(
        domain,
        uuid,
        (a, d) -> {
          PointerByReference params = new PointerByReference();
          IntByReference n = new IntByReference();
          check(a, a.virDomainGetGuestVcpus(d, params, n, 0));
          return readParams(a, params.getValue(), n.getValue());
        });
  }

  /** Copies and frees a {@code virTypedParameter} array. */
  private static TypedParams readParams(Api a, Pointer params, int n) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (params == null) {
      return TypedParams.of(out);
    }
    try {
      for (int i = 0; i < n; i++) {
        long base = (long) i * PARAM_SIZE;
        byte[] field = params.getByteArray(base, FIELD_LENGTH);
        int len = 0;
        while (len < field.length && field[len] != 0) {
          len++;
        }
        String name = new String(field, 0, len, StandardCharsets.UTF_8);
        long at = base + 88;
        Object value =
            switch (params.getInt(base + FIELD_LENGTH)) {
              case 1, 2 -> params.getInt(at);
              case 3, 4 -> params.getLong(at);
              case 5 -> params.getDouble(at);
              case 6 -> params.getByte(at) != 0;
              case 7 -> {
                Pointer s = params.getPointer(at);
                yield s == null ? null : s.getString(0, StandardCharsets.UTF_8.name());
              }
              default -> null;
            };
        if (value != null) {
          out.put(name, value);
        }
      }
    } finally {
      a.virTypedParamsFree(params, n);
    }
    return TypedParams.of(out);
  }

  @Override
  public List<Interface> interfaceAddresses(String domain, Optional<String> uuid)
      throws LibvirtFailure {
    return withDomain(
        domain,
        uuid,
        (a, d) -> {
          PointerByReference ifaces = new PointerByReference();
          int n = a.virDomainInterfaceAddresses(d, ifaces, SRC_AGENT, 0);
          check(a, n);
          Pointer array = ifaces.getValue();
          List<Interface> out = new ArrayList<>();
          if (array == null) {
            return out;
          }
          for (int i = 0; i < n; i++) {
            Pointer iface = array.getPointer((long) i * Native.POINTER_SIZE);
            if (iface == null) {
              continue;
            }
            try {
              if (out.size() < TypedParams.MAX_ITEMS) {
                out.add(readInterface(iface));
              }
            } finally {
              a.virDomainInterfaceFree(iface);
            }
          }
          Native.free(Pointer.nativeValue(array));
          return out;
        });
  }

  /** {@code struct virDomainInterface {char *name; char *hwaddr; uint naddrs; addrs *}}. */
  private static Interface readInterface(Pointer iface) {
    int p = Native.POINTER_SIZE;
    String name = string(iface.getPointer(0));
    String hwaddr = string(iface.getPointer(p));
    int naddrs = Math.min(iface.getInt(2L * p), TypedParams.MAX_ITEMS);
    Pointer addrs = iface.getPointer(3L * p);
    List<Address> addresses = new ArrayList<>();
    for (int i = 0; addrs != null && i < naddrs; i++) {
      // struct virDomainIPAddress {int type; char *addr; uint prefix;}: 3 pointer-sized slots
      long base = (long) i * 3 * p;
      addresses.add(
          new Address(
              addrs.getInt(base), string(addrs.getPointer(base + p)), addrs.getInt(base + 2L * p)));
    }
    return new Interface(name, hwaddr, addresses);
  }

  private static String string(Pointer p) {
    return p == null ? null : p.getString(0, StandardCharsets.UTF_8.name());
  }

  @Override
  public long getTime(String domain, Optional<String> uuid) throws LibvirtFailure {
    return withDomain(
        domain,
        uuid,
        (a, d) -> {
          LongByReference seconds = new LongByReference();
          IntByReference nanos = new IntByReference();
          check(a, a.virDomainGetTime(d, seconds, nanos, 0));
          return seconds.getValue() * 1_000_000_000L + Integer.toUnsignedLong(nanos.getValue());
        });
  }

  @Override
  public void setTime(String domain, Optional<String> uuid, Long nanos) throws LibvirtFailure {
    withDomain(
        domain,
        uuid,
        (a, d) -> {
          if (nanos == null) {
            check(a, a.virDomainSetTime(d, 0, 0, TIME_SYNC));
          } else {
            check(
                a,
                a.virDomainSetTime(
                    d,
                    Math.floorDiv(nanos, 1_000_000_000L),
                    (int) Math.floorMod(nanos, 1_000_000_000L),
                    0));
          }
          return null;
        });
  }

  @Override
  public void fstrim(String domain, Optional<String> uuid, long minimum) throws LibvirtFailure {
    withDomain(
        domain,
        uuid,
        (a, d) -> {
          check(a, a.virDomainFSTrim(d, null, minimum, 0));
          return null;
        });
  }

  @Override
  public int fsfreeze(String domain, Optional<String> uuid, List<String> mountpoints)
      throws LibvirtFailure {
    return withDomain(
        domain,
        uuid,
        (a, d) -> {
          String[] points = mountpoints.isEmpty() ? null : mountpoints.toArray(String[]::new);
          int n = a.virDomainFSFreeze(d, points, points == null ? 0 : points.length, 0);
          check(a, n);
          return n;
        });
  }

  @Override
  public int fsthaw(String domain, Optional<String> uuid) throws LibvirtFailure {
    return withDomain(
        domain,
        uuid,
        (a, d) -> {
          int n = a.virDomainFSThaw(d, null, 0, 0);
          check(a, n);
          return n;
        });
  }

  @Override
  public void shutdownThroughAgent(String domain, Optional<String> uuid) throws LibvirtFailure {
    withDomain(
        domain,
        uuid,
        (a, d) -> {
          check(a, a.virDomainShutdownFlags(d, SHUTDOWN_GUEST_AGENT));
          return null;
        });
  }

  @Override
  public void rebootThroughAgent(String domain, Optional<String> uuid) throws LibvirtFailure {
    withDomain(
        domain,
        uuid,
        (a, d) -> {
          check(a, a.virDomainReboot(d, REBOOT_GUEST_AGENT));
          return null;
        });
  }

  @Override
  public boolean agentConnected(String domain, Optional<String> uuid) throws LibvirtFailure {
    return withDomain(
        domain,
        uuid,
        (a, d) -> {
          Pointer xml = a.virDomainGetXMLDesc(d, 0);
          if (xml == null) {
            throw lastError(a);
          }
          try {
            return AGENT_CHANNEL.matcher(xml.getString(0, StandardCharsets.UTF_8.name())).find();
          } finally {
            Native.free(Pointer.nativeValue(xml));
          }
        });
  }
}
