package io.qga.exporter.runtime;

import io.qga.client.api.Filesystem;
import io.qga.client.api.FreezeStatus;
import io.qga.client.api.GuestInfo;
import io.qga.client.api.NetworkInterface;
import io.qga.client.api.User;
import io.qga.collectors.GuestRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The latest typed data of one domain, as the collectors decoded it (each part bounded by its
 * {@link GuestRecord}): what the control API shows and the policy conditions read. Immutable; a
 * part is null until its collector first succeeded, and stays when a later poll fails, the command
 * becomes unsupported (e.g. while frozen) or the collector is disabled.
 *
 * @param commands the enabled commands of the last {@code guest-info}, in the agent's order
 */
public record GuestData(
    List<String> commands,
    GuestRecord.Interfaces interfaces,
    GuestRecord.Filesystems filesystems,
    GuestRecord.Users users,
    GuestRecord.Os os,
    GuestRecord.TimeOffset timeOffset,
    GuestRecord.Freeze freeze,
    GuestRecord.LoadAverage load,
    GuestRecord.Vcpus vcpus,
    GuestRecord.MemoryBlocks memoryBlocks) {

  /** Entries of {@code supported_commands} looked at (the API shows no more than this many). */
  static final int MAX_COMMANDS = 256;

  public static final GuestData EMPTY =
      new GuestData(List.of(), null, null, null, null, null, null, null, null, null);

  public GuestData {
    commands = List.copyOf(commands);
  }

  /** This data with {@code record} in place of its kind's last one; null changes nothing. */
  public GuestData with(GuestRecord record) {
    if (record == null) {
      return this;
    }
    return new GuestData(
        commands,
        record instanceof GuestRecord.Interfaces r ? r : interfaces,
        record instanceof GuestRecord.Filesystems r ? r : filesystems,
        record instanceof GuestRecord.Users r ? r : users,
        record instanceof GuestRecord.Os r ? r : os,
        record instanceof GuestRecord.TimeOffset r ? r : timeOffset,
        record instanceof GuestRecord.Freeze r ? r : freeze,
        record instanceof GuestRecord.LoadAverage r ? r : load,
        record instanceof GuestRecord.Vcpus r ? r : vcpus,
        record instanceof GuestRecord.MemoryBlocks r ? r : memoryBlocks);
  }

  /**
   * This data with the enabled commands of {@code info}: of its first {@link #MAX_COMMANDS}
   * entries, the enabled ones with a name, each name cut as guest strings are.
   */
  public GuestData withCommands(GuestInfo info) {
    List<String> enabled = new ArrayList<>();
    List<GuestInfo.SupportedCommand> all = info.supportedCommands();
    for (int i = 0; i < all.size() && i < MAX_COMMANDS; i++) {
      GuestInfo.SupportedCommand c = all.get(i);
      if (c != null && c.enabled() && c.name() != null) {
        enabled.add(GuestRecord.cut(c.name()));
      }
    }
    return new GuestData(
        enabled, interfaces, filesystems, users, os, timeOffset, freeze, load, vcpus, memoryBlocks);
  }

  /** True when the last {@code guest-fsfreeze-status} said frozen. */
  public boolean frozen() {
    return freeze != null && freeze.status() == FreezeStatus.FROZEN;
  }

  /** The last guest clock offset in seconds (guest minus host), or null. */
  public Double timeOffsetSeconds() {
    return timeOffset == null || !Double.isFinite(timeOffset.seconds())
        ? null
        : timeOffset.seconds();
  }

  public List<NetworkInterface> interfaceList() {
    return interfaces == null ? List.of() : interfaces.interfaces();
  }

  public List<Filesystem> filesystemList() {
    return filesystems == null ? List.of() : filesystems.filesystems();
  }

  public List<User> userList() {
    return users == null ? List.of() : users.users();
  }
}
