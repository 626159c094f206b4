package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.api.FreezeStatus;
import io.qga.client.api.NetworkInterface;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each collector hands over the record it decoded, bounded before anyone keeps it. */
class GuestRecordTest {
  private static final Limits SMALL = new Limits(10, 2, 3, 4, 64, 512, 128);

  private static DomainSamples poll(String collector, FixtureChannel channel, Limits limits) {
    return Collectors.byName(collector)
        .orElseThrow()
        .poll(channel.agent(), channel.context(limits, Texts.CLOCK));
  }

  @Test
  void everyCollectorTheApiOrPoliciesReadKeepsItsRecord() {
    Map<String, Class<?>> kinds =
        Map.of(
            "network", GuestRecord.Interfaces.class,
            "filesystem", GuestRecord.Filesystems.class,
            "users", GuestRecord.Users.class,
            "os", GuestRecord.Os.class,
            "time", GuestRecord.TimeOffset.class,
            "fsfreeze", GuestRecord.Freeze.class,
            "vcpus", GuestRecord.Vcpus.class,
            "memory_blocks", GuestRecord.MemoryBlocks.class);
    kinds.forEach(
        (collector, kind) ->
            assertThat(poll(collector, new FixtureChannel("linux-7.2"), Limits.DEFAULT).record())
                .as(collector)
                .isInstanceOf(kind));
    GuestRecord.Os os =
        (GuestRecord.Os) poll("os", new FixtureChannel("linux-7.2"), Limits.DEFAULT).record();
    assertThat(os.os().id()).isNotBlank();
    assertThat(os.hostName()).isNotBlank();
    assertThat(
            ((GuestRecord.Freeze)
                    poll("fsfreeze", new FixtureChannel("linux-7.2"), Limits.DEFAULT).record())
                .status())
        .isEqualTo(FreezeStatus.THAWED);
    // what only becomes metrics keeps nothing
    assertThat(poll("cpu", new FixtureChannel("linux-7.2"), Limits.DEFAULT).record()).isNull();
  }

  @Test
  void aHugeInterfaceListIsCutAtTheLimitsWithoutCountersOrInvalidAddresses() {
    ArrayNode interfaces = FixtureChannel.JSON.createArrayNode();
    interfaces.addNull();
    for (int i = 0; i < 10_000; i++) {
      ObjectNode nic = interfaces.addObject().put("name", "x".repeat(2000) + i);
      nic.put("hardware-address", "52:54:00:00:00:01");
      nic.putObject("statistics").put("rx-bytes", i);
      ArrayNode addresses = nic.putArray("ip-addresses");
      addresses.addObject().put("ip-address", "$(reboot)").put("ip-address-type", "ipv4");
      addresses
          .addObject()
          .put("ip-address", "192.0.2." + (i % 250))
          .put("ip-address-type", "ipv4")
          .put("prefix", 24);
      addresses
          .addObject()
          .put("ip-address", "2001:db8::" + (i % 250))
          .put("ip-address-type", "ipv6");
    }
    FixtureChannel channel =
        new FixtureChannel("linux-7.2").returns("guest-network-get-interfaces", interfaces);

    GuestRecord.Interfaces kept = (GuestRecord.Interfaces) poll("network", channel, SMALL).record();

    // 10 places, the first one null: 9 interfaces; of each one's first 2 addresses, the valid one
    assertThat(kept.interfaces()).hasSize(9);
    for (NetworkInterface nic : kept.interfaces()) {
      assertThat(nic.name()).hasSize(GuestRecord.MAX_TEXT).endsWith("\u2026");
      assertThat(nic.statistics()).isNull();
      assertThat(nic.ipAddresses())
          .extracting(NetworkInterface.IpAddress::address)
          .hasSize(1)
          .allMatch(IpAddressText::isIpAddress);
    }
  }

  @Test
  void filesystemsAndUsersAreCutAtTheirLimitsAndKeepOnlyWhatIsShown() {
    ArrayNode filesystems = FixtureChannel.JSON.createArrayNode();
    ArrayNode users = FixtureChannel.JSON.createArrayNode();
    for (int i = 0; i < 1000; i++) {
      ObjectNode fs =
          filesystems
              .addObject()
              .put("name", "vd" + i)
              .put("mountpoint", "/m" + i)
              .put("type", "ext4");
      fs.put("used-bytes", 1).put("total-bytes", 2);
      ArrayNode disks = fs.putArray("disk");
      for (int d = 0; d < 50; d++) {
        disks.addObject().put("dev", "/dev/vd" + i + "-" + d).put("serial", "s".repeat(1000));
      }
      users.addObject().put("user", "u" + i).put("login-time", 1700000000.0 + i);
    }
    FixtureChannel channel =
        new FixtureChannel("linux-7.2")
            .returns("guest-get-fsinfo", filesystems)
            .returns("guest-get-users", users);

    GuestRecord.Filesystems fs =
        (GuestRecord.Filesystems) poll("filesystem", channel, SMALL).record();
    GuestRecord.Users u = (GuestRecord.Users) poll("users", channel, SMALL).record();

    assertThat(fs.filesystems()).hasSize(3);
    assertThat(fs.filesystems().get(2).mountpoint()).isEqualTo("/m2");
    assertThat(fs.filesystems().get(2).disks()).hasSize(1);
    assertThat(fs.filesystems().get(2).disks().get(0).dev()).isEqualTo("/dev/vd2-0");
    assertThat(fs.filesystems().get(2).disks().get(0).serial()).isNull();
    assertThat(u.users()).hasSize(4);
  }
}
