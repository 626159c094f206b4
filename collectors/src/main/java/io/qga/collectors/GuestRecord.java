package io.qga.collectors;

import io.qga.client.api.Filesystem;
import io.qga.client.api.FreezeStatus;
import io.qga.client.api.Load;
import io.qga.client.api.NetworkInterface;
import io.qga.client.api.OsInfo;
import io.qga.client.api.Timezone;
import io.qga.client.api.User;
import java.util.ArrayList;
import java.util.List;

/**
 * What a collector decoded from the agent, kept beside its samples for the control API and the
 * policy engine: the client's records, decoded once. A guest chooses every list and string, so each
 * record is bounded when it is made: lists are cut at the {@link Limits} the metrics use, every
 * string at {@link #MAX_TEXT} characters, and what nobody reads (interface counters, disk
 * addresses) is left out, so a thousand domains' records stay small.
 */
public sealed interface GuestRecord {

  /** Characters kept of a guest string (the control API serves at most this many). */
  int MAX_TEXT = 512;

  /** {@code guest-network-get-interfaces}: names, MACs and valid IP addresses; no counters. */
  record Interfaces(List<NetworkInterface> interfaces) implements GuestRecord {
    public Interfaces {
      interfaces = List.copyOf(interfaces);
    }

    /**
     * The first {@link Limits#maxInterfaces} interfaces with their first {@link
     * Limits#maxAddressesPerInterface} addresses, without entries that are null or whose {@code
     * ip-address} is not an IP address ({@link IpAddressText}).
     */
    public static Interfaces of(List<NetworkInterface> reply, Limits limits) {
      List<NetworkInterface> kept = new ArrayList<>();
      for (NetworkInterface nic : first(reply, limits.maxInterfaces())) {
        List<NetworkInterface.IpAddress> addresses = new ArrayList<>();
        for (NetworkInterface.IpAddress a :
            first(nic.ipAddresses(), limits.maxAddressesPerInterface())) {
          if (IpAddressText.isIpAddress(a.address())) {
            addresses.add(new NetworkInterface.IpAddress(a.address(), cut(a.type()), a.prefix()));
          }
        }
        kept.add(
            new NetworkInterface(cut(nic.name()), cut(nic.hardwareAddress()), addresses, null));
      }
      return new Interfaces(kept);
    }
  }

  /** {@code guest-get-fsinfo}: each filesystem with its byte counts and first disk's device. */
  record Filesystems(List<Filesystem> filesystems) implements GuestRecord {
    public Filesystems {
      filesystems = List.copyOf(filesystems);
    }

    /** The first {@link Limits#maxFilesystems} filesystems. */
    public static Filesystems of(List<Filesystem> reply, Limits limits) {
      List<Filesystem> kept = new ArrayList<>();
      for (Filesystem fs : first(reply, limits.maxFilesystems())) {
        Filesystem.Disk disk = fs.disks().isEmpty() ? null : fs.disks().get(0);
        List<Filesystem.Disk> disks =
            disk == null
                ? List.of()
                : List.of(new Filesystem.Disk(null, null, null, null, null, cut(disk.dev())));
        kept.add(
            new Filesystem(
                cut(fs.name()),
                cut(fs.mountpoint()),
                cut(fs.type()),
                fs.usedBytes(),
                fs.totalBytes(),
                null,
                disks));
      }
      return new Filesystems(kept);
    }
  }

  /** {@code guest-get-users}: login sessions, in the agent's order. */
  record Users(List<User> users) implements GuestRecord {
    public Users {
      users = List.copyOf(users);
    }

    /** The first {@link Limits#maxUsers} sessions. */
    public static Users of(List<User> reply, Limits limits) {
      List<User> kept = new ArrayList<>();
      for (User u : first(reply, limits.maxUsers())) {
        kept.add(new User(cut(u.user()), u.loginTime(), cut(u.domain())));
      }
      return new Users(kept);
    }
  }

  /**
   * {@code guest-get-osinfo}, {@code guest-get-host-name} and {@code guest-get-timezone}; each null
   * when the agent lacks it. Only the osinfo members that are shown are kept.
   */
  record Os(OsInfo os, String hostName, Timezone timezone) implements GuestRecord {
    public static Os of(OsInfo os, String hostName, Timezone timezone) {
      return new Os(
          os == null
              ? null
              : new OsInfo(
                  cut(os.kernelRelease()),
                  null,
                  cut(os.machine()),
                  cut(os.id()),
                  cut(os.name()),
                  cut(os.prettyName()),
                  null,
                  cut(os.versionId()),
                  null,
                  null),
          cut(hostName),
          timezone == null ? null : new Timezone(cut(timezone.zone()), timezone.offset()));
    }
  }

  /** {@code guest-get-time}: guest clock minus host clock, in seconds. */
  record TimeOffset(double seconds) implements GuestRecord {}

  /** {@code guest-fsfreeze-status}. */
  record Freeze(FreezeStatus status) implements GuestRecord {}

  /** {@code guest-get-load}. */
  record LoadAverage(Load load) implements GuestRecord {}

  /** {@code guest-get-vcpus}, counted: a list per CPU is not worth keeping. */
  record Vcpus(long online, long offline) implements GuestRecord {}

  /** {@code guest-get-memory-blocks} counted, with the block size when known. */
  record MemoryBlocks(long online, long offline, Long blockSizeBytes) implements GuestRecord {}

  /** At most {@code max} non-null elements from the start of {@code list}. */
  private static <T> List<T> first(List<T> list, int max) {
    List<T> out = new ArrayList<>();
    if (list == null) {
      return out;
    }
    for (int i = 0; i < list.size() && i < max; i++) {
      if (list.get(i) != null) {
        out.add(list.get(i));
      }
    }
    return out;
  }

  /**
   * A guest string as kept: at most {@link #MAX_TEXT} characters, the last an ellipsis when cut;
   * null stays null.
   */
  static String cut(String s) {
    if (s == null || s.length() <= MAX_TEXT) {
      return s;
    }
    return s.substring(0, MAX_TEXT - 1) + "\u2026";
  }
}
