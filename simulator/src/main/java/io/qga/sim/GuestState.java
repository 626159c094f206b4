package io.qga.sim;

import static io.qga.sim.AgentError.checkedLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What changes inside a simulated guest, under one lock: its clock (offset from the host's and
 * drift), boot and power, the fsfreeze state, the last fstrim, and the last guest-set-time and
 * guest-shutdown. The replies of the commands that change it (set-time, freeze, thaw, fstrim,
 * shutdown) are built here, so each reply and its state change happen together.
 */
final class GuestState {
  private final Flavour flavour;
  private final Clock clock;
  private final GuestProfile profile;
  private final Duration rtcOffset;
  private final Duration rebootTime;
  private final Map<String, String> fstrimErrors = new ConcurrentHashMap<>();

  // Guarded by "this".
  private long clockOffsetNanos;
  private long offsetSetAtNanos;
  private double driftPpm;
  private long bootMillis;
  private long frozenAtMillis = -1;
  private int frozenCount;
  private long lastTrimMillis = -1;
  private long rebootUntilMillis;
  private boolean poweredOn = true;
  private SimulatedGuest.SetTime lastSetTime;
  private String lastShutdownMode;

  GuestState(
      Flavour flavour,
      Clock clock,
      GuestProfile profile,
      Duration rtcOffset,
      Duration rebootTime,
      double driftPpm) {
    this.flavour = flavour;
    this.clock = clock;
    this.profile = profile;
    this.rtcOffset = rtcOffset;
    this.rebootTime = rebootTime;
    this.driftPpm = driftPpm;
    long now = clock.millis();
    this.bootMillis = now - profile.uptimeAtStartMillis;
    this.offsetSetAtNanos = hostNanos();
  }

  // ---- clock ----------------------------------------------------------------------------

  synchronized void setClockOffset(Duration offset) {
    clockOffsetNanos = offset.toNanos();
    offsetSetAtNanos = hostNanos();
  }

  synchronized Duration clockOffset() {
    return Duration.ofNanos(guestNanos() - hostNanos());
  }

  synchronized void setDriftPpm(double driftPpm) {
    clockOffsetNanos = guestNanos() - hostNanos();
    offsetSetAtNanos = hostNanos();
    this.driftPpm = driftPpm;
  }

  private long hostNanos() {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private long guestNanos() {
    long host = hostNanos();
    return host + clockOffsetNanos + (long) ((host - offsetSetAtNanos) * driftPpm / 1e6);
  }

  synchronized long guestNanosNow() {
    return guestNanos();
  }

  synchronized JsonNode setTime(JsonNode arguments) throws AgentError {
    JsonNode time = arguments.get("time");
    long host = hostNanos();
    if (time != null) {
      long nanos = checkedLong(time, "time");
      clockOffsetNanos = nanos - host;
      lastSetTime = new SimulatedGuest.SetTime(OptionalLong.of(nanos), clock.instant());
    } else {
      // Linux reads the RTC (hwclock -s); Windows resyncs with its time source (w32tm).
      clockOffsetNanos = flavour.windows() ? 0 : rtcOffset.toNanos();
      lastSetTime = new SimulatedGuest.SetTime(OptionalLong.empty(), clock.instant());
    }
    offsetSetAtNanos = host;
    return QemuJson.object();
  }

  synchronized SimulatedGuest.SetTime lastSetTime() {
    return lastSetTime;
  }

  // ---- boot and power ---------------------------------------------------------------------

  synchronized double uptimeSeconds(long now) {
    return Math.max(0, now - bootMillis) / 1000.0;
  }

  /** The boot time in seconds since the epoch. */
  synchronized double bootSeconds() {
    return bootMillis / 1000.0;
  }

  /** True while the guest is off or rebooting; a finished reboot counts as a fresh boot. */
  synchronized boolean down() {
    if (rebootUntilMillis != 0 && clock.millis() >= rebootUntilMillis) {
      rebootUntilMillis = 0;
      bootMillis = clock.millis();
    }
    return !poweredOn || rebootUntilMillis != 0;
  }

  synchronized boolean poweredOn() {
    return poweredOn;
  }

  /** Freezes or thaws as another client of the agent would (see SimulatedGuest#setFrozen). */
  synchronized void setFrozen(boolean frozen) {
    frozenAtMillis = frozen ? clock.millis() : -1;
  }

  synchronized void powerOn() {
    poweredOn = true;
    bootMillis = clock.millis();
    rebootUntilMillis = 0;
    frozenAtMillis = -1;
  }

  /**
   * Records a guest-shutdown of a valid {@code mode}; true when the guest is now off (the caller
   * lets the channel vanish), false for a reboot (the agent stays silent until booted).
   */
  synchronized boolean shutdown(String mode) {
    lastShutdownMode = mode;
    frozenAtMillis = -1;
    if (mode.equals("reboot")) {
      // QEMU keeps the channel; the agent is silent until the guest has booted again.
      rebootUntilMillis = clock.millis() + Math.max(1, rebootTime.toMillis());
      return false;
    }
    poweredOn = false;
    return true;
  }

  synchronized String lastShutdownMode() {
    return lastShutdownMode;
  }

  // ---- freeze and trim --------------------------------------------------------------------

  synchronized boolean frozen() {
    return isFrozen(clock.millis());
  }

  private boolean isFrozen(long now) {
    // qemu-ga-win freezes through VSS, which lets go after 10 s.
    if (frozenAtMillis >= 0 && flavour.windows() && now - frozenAtMillis >= 10_000) {
      frozenAtMillis = -1;
    }
    return frozenAtMillis >= 0;
  }

  synchronized JsonNode freeze(JsonNode mountpoints) throws AgentError {
    List<String> names = new ArrayList<>();
    for (GuestProfile.Filesystem fs : profile.filesystems(flavour)) {
      if (fs.mountpoint() != null) {
        names.add(fs.mountpoint());
      }
    }
    int count = names.size();
    if (mountpoints != null && !mountpoints.isNull()) {
      if (!mountpoints.isArray()) {
        throw AgentError.generic("Invalid parameter type for 'mountpoints', expected: array");
      }
      count = 0;
      for (JsonNode m : mountpoints) {
        if (names.contains(m.asText())) {
          count++;
        }
      }
    }
    frozenAtMillis = clock.millis();
    frozenCount = count;
    return QemuJson.object().numberNode(count);
  }

  synchronized JsonNode thaw() {
    int count = isFrozen(clock.millis()) ? frozenCount : 0;
    frozenAtMillis = -1;
    return QemuJson.object().numberNode(count);
  }

  void setFstrimError(String mountpoint, String error) {
    if (error == null) {
      fstrimErrors.remove(mountpoint);
    } else {
      fstrimErrors.put(mountpoint, error);
    }
  }

  synchronized JsonNode fstrim(JsonNode arguments, long now) throws AgentError {
    JsonNode minimumNode = arguments.get("minimum");
    long minimum = minimumNode == null ? 0 : checkedLong(minimumNode, "minimum");
    double uptime = uptimeSeconds(now);
    ArrayNode paths = QemuJson.array();
    for (GuestProfile.Filesystem fs : profile.filesystems(flavour)) {
      if (fs.mountpoint() == null) {
        continue;
      }
      ObjectNode path = paths.addObject().put("path", fs.mountpoint());
      String error = fstrimErrors.get(fs.mountpoint());
      if (error != null) {
        path.put("error", error);
        continue;
      }
      if (flavour.windows()) {
        continue; // qemu-ga-win reports only the path
      }
      long free = fs.total() - fs.used(uptime);
      long trimmed =
          lastTrimMillis < 0
              ? free / 10
              : Math.min(free, (long) (fs.growthPerSecond() * 4 * (now - lastTrimMillis) / 1000));
      path.put("trimmed", trimmed < minimum ? 0 : trimmed).put("minimum", minimum);
    }
    lastTrimMillis = now;
    ObjectNode result = QemuJson.object();
    result.set("paths", paths);
    return result;
  }
}
