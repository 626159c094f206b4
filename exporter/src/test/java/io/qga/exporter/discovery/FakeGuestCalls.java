package io.qga.exporter.discovery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A scripted libvirt with the typed calls: answers from fixtures, records calls. */
final class FakeGuestCalls implements LibvirtGuestCalls {
  final List<String> calls = new ArrayList<>();
  long version = 9_000_000;
  boolean connected = true;
  TypedParams info;
  TypedParams vcpus;
  LibvirtFailure failure;
  List<Interface> addresses = List.of();

  private void record(String call) throws LibvirtFailure {
    calls.add(call);
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public long libVersion() {
    return version;
  }

  @Override
  public TypedParams guestInfo(String domain, Optional<String> uuid, int types)
      throws LibvirtFailure {
    record("guestinfo " + types);
    Map<String, Object> only = new LinkedHashMap<>();
    String prefix =
        switch (types) {
          case INFO_USERS -> "user.";
          case INFO_OS -> "os.";
          case INFO_TIMEZONE -> "timezone.";
          case INFO_HOSTNAME -> "hostname";
          case INFO_FILESYSTEM -> "fs.";
          case INFO_INTERFACES -> "if.";
          default -> throw new AssertionError("types " + types);
        };
    info.values()
        .forEach(
            (k, v) -> {
              if (k.startsWith(prefix)) {
                only.put(k, v);
              }
            });
    return TypedParams.of(only);
  }

  @Override
  public List<Interface> interfaceAddresses(String domain, Optional<String> uuid)
      throws LibvirtFailure {
    record("domifaddr");
    return addresses;
  }

  @Override
  public TypedParams guestVcpus(String domain, Optional<String> uuid) throws LibvirtFailure {
    record("guestvcpus");
    return vcpus;
  }

  @Override
  public long getTime(String domain, Optional<String> uuid) throws LibvirtFailure {
    record("gettime");
    return 1_764_600_000_123_456_789L;
  }

  @Override
  public void setTime(String domain, Optional<String> uuid, Long nanos) throws LibvirtFailure {
    record("settime " + (nanos == null ? "sync" : nanos));
  }

  @Override
  public void fstrim(String domain, Optional<String> uuid, long minimum) throws LibvirtFailure {
    record("fstrim " + minimum);
  }

  @Override
  public int fsfreeze(String domain, Optional<String> uuid, List<String> mountpoints)
      throws LibvirtFailure {
    record("fsfreeze " + mountpoints);
    return 2;
  }

  @Override
  public int fsthaw(String domain, Optional<String> uuid) throws LibvirtFailure {
    record("fsthaw");
    return 2;
  }

  @Override
  public void shutdownThroughAgent(String domain, Optional<String> uuid) throws LibvirtFailure {
    record("shutdown agent");
  }

  @Override
  public void rebootThroughAgent(String domain, Optional<String> uuid) throws LibvirtFailure {
    record("reboot agent");
  }

  @Override
  public boolean agentConnected(String domain, Optional<String> uuid) throws LibvirtFailure {
    record("agent state");
    return connected;
  }
}
