package io.qga.exporter.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qga.client.AgentChannel;
import io.qga.client.AgentCommand;
import io.qga.client.AgentConnectionException;
import io.qga.client.AgentTimeoutException;
import io.qga.client.AgentUnsupportedException;
import io.qga.client.api.Filesystem;
import io.qga.client.api.GuestAgent;
import io.qga.client.api.NetworkInterface;
import io.qga.client.api.OsInfo;
import io.qga.client.api.User;
import io.qga.client.api.Vcpu;
import io.qga.collectors.CollectContext;
import io.qga.collectors.Collectors;
import io.qga.collectors.DomainSamples;
import io.qga.collectors.Limits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LibvirtTypedChannelTest {
  /** Field names whose libvirt type is a number (the rest are strings or booleans). */
  private static final Pattern NUMBER =
      Pattern.compile(
          ".*\\.count|.*\\.login-time|.*-bytes|timezone\\.offset|.*\\.prefix|"
              + "if\\.\\d+\\.addr\\.\\d+\\.prefix");

  private static final Pattern BOOLEAN = Pattern.compile(".*\\.partition");

  /**
   * Reads {@code virsh guestinfo} / {@code virsh guestvcpus} output ({@code field : value}) with
   * the types libvirt documents for each field.
   */
  static TypedParams virsh(String resource) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    try (InputStream in = LibvirtTypedChannelTest.class.getResourceAsStream(resource)) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        int colon = line.indexOf(" : ");
        if (colon < 0) {
          continue;
        }
        String field = line.substring(0, colon).strip();
        String value = line.substring(colon + 3).strip();
        if (NUMBER.matcher(field).matches()) {
          out.put(field, Long.parseLong(value));
        } else if (BOOLEAN.matcher(field).matches()) {
          out.put(field, value.equals("yes"));
        } else {
          out.put(field, value);
        }
      }
    }
    return TypedParams.of(out);
  }

  private final FakeGuestCalls calls = new FakeGuestCalls();
  private final LibvirtConnection connection =
      new LibvirtConnection(
          "test:///fake",
          uri ->
              new LibvirtBackend() {
                @Override
                public String qemuAgentCommand(
                    String domain, Optional<String> uuid, String json, int timeout) {
                  throw new AssertionError("a raw agent command on the typed route: " + json);
                }

                @Override
                public void rebootThroughAgent(String domain, Optional<String> uuid) {
                  throw new AssertionError("not this one");
                }

                @Override
                public LibvirtGuestCalls guest() {
                  return calls;
                }

                @Override
                public void close() {}
              },
          System::nanoTime);

  private final AgentChannel channel =
      connection.channelFor(new Route.Libvirt("web-1", Optional.of("uuid-1")));
  private final GuestAgent agent = new GuestAgent(channel);

  LibvirtTypedChannelTest() throws IOException {
    Map<String, Object> info = new LinkedHashMap<>(virsh("/libvirt/guestinfo.txt").values());
    info.putAll(virsh("/libvirt/guestinfo-users.txt").values());
    calls.info = TypedParams.of(info);
    calls.vcpus = virsh("/libvirt/guestvcpus.txt");
  }

  @AfterEach
  void close() {
    connection.close();
  }

  @Test
  void theRouteFollowsTheSwitch() {
    assertThat(channel).isInstanceOf(LibvirtTypedChannel.class);
    assertThat(connection.channelFor(new Route.Libvirt("web-1", Optional.of("uuid-1"), true)))
        .isInstanceOf(LibvirtAgentChannel.class);
    assertThat(new Route.Libvirt("a", Optional.empty()).kind()).isEqualTo("libvirt_typed");
    assertThat(new Route.Libvirt("a", Optional.empty(), true).kind()).isEqualTo("libvirt_raw");
  }

  @Test
  void usersOsTimezoneAndHostNameFromGuestInfo() {
    assertThat(agent.getUsers())
        .containsExactly(
            new User("root", 1_764_600_385.0, null),
            new User("Administrator", 1_764_600_399.25, "WIN-7Q0G1"));
    OsInfo os = agent.getOsinfo();
    assertThat(os.id()).isEqualTo("qga-e2e");
    assertThat(os.name()).isEqualTo("qga-exporter e2e guest");
    assertThat(os.prettyName()).isEqualTo("qga-exporter e2e guest 1");
    assertThat(os.versionId()).isEqualTo("1");
    assertThat(os.version()).isNull();
    assertThat(os.kernelRelease()).isEqualTo("6.1.0-57-amd64");
    assertThat(os.kernelVersion())
        .isEqualTo("#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (2026-11-26)");
    assertThat(os.machine()).isEqualTo("x86_64");
    assertThat(agent.getHostName().hostName()).isEqualTo("e2e-lv3");
    assertThat(agent.getTimezone().zone()).isEqualTo("UTC");
    assertThat(agent.getTimezone().offset()).isZero();
    assertThat(calls.calls)
        .containsExactly(
            "guestinfo " + LibvirtGuestCalls.INFO_USERS,
            "guestinfo " + LibvirtGuestCalls.INFO_OS,
            "guestinfo " + LibvirtGuestCalls.INFO_HOSTNAME,
            "guestinfo " + LibvirtGuestCalls.INFO_TIMEZONE,
            "guestinfo " + LibvirtGuestCalls.INFO_TIMEZONE);
  }

  @Test
  void filesystemsWithTheirDiskDevice() {
    assertThat(agent.getFsinfo())
        .containsExactly(
            new Filesystem(
                "vda",
                "/data",
                "ext4",
                14_336L,
                52_685_824L,
                null,
                List.of(new Filesystem.Disk(null, null, null, null, null, "/dev/vda"))));
  }

  /**
   * What the same guest's agent answers on a direct channel (its reply, as qemu-ga 7.2 words it).
   */
  private static final String DIRECT_FSINFO =
      "[{\"name\":\"vda\",\"mountpoint\":\"/data\",\"type\":\"ext4\",\"used-bytes\":14336,"
          + "\"total-bytes\":52685824,\"disk\":[{\"bus-type\":\"virtio\",\"bus\":0,\"unit\":0,"
          + "\"target\":0,\"dev\":\"/dev/vda\",\"pci-controller\":{\"domain\":0,\"bus\":0,"
          + "\"slot\":4,\"function\":0}}]}]";

  private static final String DIRECT_USERS =
      "[{\"user\":\"root\",\"login-time\":1764600385.0},{\"user\":\"Administrator\","
          + "\"domain\":\"WIN-7Q0G1\",\"login-time\":1764600399.25}]";

  private static final String DIRECT_INTERFACES =
      "[{\"name\":\"lo\",\"hardware-address\":\"00:00:00:00:00:00\",\"ip-addresses\":["
          + "{\"ip-address-type\":\"ipv4\",\"ip-address\":\"127.0.0.1\",\"prefix\":8},"
          + "{\"ip-address-type\":\"ipv6\",\"ip-address\":\"::1\",\"prefix\":128}]},"
          + "{\"name\":\"eth0\",\"hardware-address\":\"52:54:00:e2:e0:0d\",\"ip-addresses\":["
          + "{\"ip-address-type\":\"ipv4\",\"ip-address\":\"10.99.0.23\",\"prefix\":24}]}]";

  /** A direct channel answering one command from text. */
  private static AgentChannel direct(String command, String reply) {
    return new AgentChannel() {
      @Override
      public JsonNode execute(AgentCommand c, Duration deadline) {
        assertThat(c.name()).isEqualTo(command);
        try {
          return new ObjectMapper().readTree(reply);
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      }

      @Override
      public String describe() {
        return "direct";
      }

      @Override
      public void close() {}
    };
  }

  private static List<DomainSamples.Sample> collect(String collector, GuestAgent agent) {
    DomainSamples.Builder out = DomainSamples.builder(Limits.DEFAULT);
    Collectors.byName(collector).orElseThrow().collect(agent, CollectContext.defaults(), out);
    return out.build().samples();
  }

  /** The series of the filesystem, users and network collectors are those of the direct route. */
  @Test
  void metricsLookTheSameAsOnTheDirectRoute() {
    assertThat(collect("filesystem", agent))
        .isNotEmpty()
        .isEqualTo(
            collect("filesystem", new GuestAgent(direct("guest-get-fsinfo", DIRECT_FSINFO))));
    assertThat(collect("users", agent))
        .isNotEmpty()
        .isEqualTo(collect("users", new GuestAgent(direct("guest-get-users", DIRECT_USERS))));
    assertThat(collect("network", agent))
        .isNotEmpty()
        .isEqualTo(
            collect(
                "network",
                new GuestAgent(direct("guest-network-get-interfaces", DIRECT_INTERFACES))));
  }

  @Test
  void interfacesFromGuestInfoOrBeforeLibvirt710FromInterfaceAddresses() {
    List<NetworkInterface> fromGuestInfo = agent.networkGetInterfaces();
    assertThat(fromGuestInfo).hasSize(2);
    assertThat(fromGuestInfo.get(1).name()).isEqualTo("eth0");
    assertThat(fromGuestInfo.get(1).hardwareAddress()).isEqualTo("52:54:00:e2:e0:0d");
    assertThat(fromGuestInfo.get(1).ipAddresses())
        .containsExactly(new NetworkInterface.IpAddress("10.99.0.23", "ipv4", 24));
    assertThat(fromGuestInfo.get(1).statistics()).isNull(); // libvirt passes no counters on

    calls.version = 7_009_000;
    calls.addresses =
        List.of(
            new LibvirtGuestCalls.Interface(
                "lo",
                "00:00:00:00:00:00",
                List.of(
                    new LibvirtGuestCalls.Address(0, "127.0.0.1", 8),
                    new LibvirtGuestCalls.Address(1, "::1", 128))),
            new LibvirtGuestCalls.Interface(
                "eth0",
                "52:54:00:e2:e0:0d",
                List.of(new LibvirtGuestCalls.Address(0, "10.99.0.23", 24))));
    LibvirtTypedChannel old =
        (LibvirtTypedChannel) connection.channelFor(new Route.Libvirt("old", Optional.empty()));
    assertThat(new GuestAgent(old).networkGetInterfaces()).isEqualTo(fromGuestInfo);
    assertThat(calls.calls)
        .containsExactly("guestinfo " + LibvirtGuestCalls.INFO_INTERFACES, "domifaddr");
  }

  @Test
  void vcpusFromBitmaps() {
    assertThat(agent.getVcpus()).containsExactly(new Vcpu(0, true, false));
    calls.vcpus = TypedParams.of(Map.of("vcpus", "0-3", "online", "0-2", "offlinable", "1-3"));
    assertThat(agent.getVcpus())
        .containsExactly(
            new Vcpu(0, true, false),
            new Vcpu(1, true, true),
            new Vcpu(2, true, true),
            new Vcpu(3, false, true));
    assertThat(LibvirtTypedReplies.bitmap("0-3,^2,7")).containsExactly(0, 1, 3, 7);
    assertThat(LibvirtTypedReplies.bitmap("x,5-2,-1,99999999,4")).containsExactly(4);
    assertThat(LibvirtTypedReplies.bitmap(null)).isEmpty();
  }

  @Test
  void actionsGoThroughTheirTypedCalls() {
    assertThat(agent.getTime()).isEqualTo(1_764_600_000_123_456_789L);
    agent.setTime(OptionalLong.of(5_000_000_001L));
    agent.setTime(OptionalLong.empty());
    assertThat(agent.fstrim(OptionalLong.of(4096)).paths()).isEmpty();
    assertThat(agent.fsfreezeFreeze()).isEqualTo(2);
    assertThat(agent.fsfreezeThaw()).isEqualTo(2);
    agent.shutdown(io.qga.client.api.ShutdownMode.POWERDOWN);
    agent.shutdown(io.qga.client.api.ShutdownMode.REBOOT);
    assertThat(calls.calls)
        .containsExactly(
            "gettime",
            "settime 5000000001",
            "settime sync",
            "fstrim 4096",
            "fsfreeze []",
            "fsthaw",
            "shutdown agent",
            "reboot agent");
  }

  @Test
  void whatHasNoTypedCallIsUnsupportedNamingTheRouteAndTheSwitch() {
    for (String command :
        List.of(
            "guest-get-memory-blocks",
            "guest-get-cpustats",
            "guest-get-diskstats",
            "guest-get-load",
            "guest-exec",
            "guest-fsfreeze-status")) {
      assertThatThrownBy(() -> agent.execute(command, null))
          .isInstanceOf(AgentUnsupportedException.class)
          .hasMessageContaining("libvirt_typed")
          .hasMessageContaining("discovery.libvirt.allow_raw_agent_commands: true")
          .hasMessageContaining("tainted");
    }
    assertThatThrownBy(() -> agent.shutdown(io.qga.client.api.ShutdownMode.HALT))
        .isInstanceOf(AgentUnsupportedException.class)
        .hasMessageContaining("mode halt")
        .hasMessageContaining("allow_raw_agent_commands");
    assertThat(calls.calls).isEmpty();
  }

  @Test
  void guestInfoListsWhatThisLibvirtCanAnswer() {
    var caps = agent.capabilities();
    assertThat(caps.version()).isEmpty();
    assertThat(caps.supports("guest-get-fsinfo")).isTrue();
    assertThat(caps.supports("guest-get-memory-blocks")).isFalse();
    assertThat(calls.calls).containsExactly("agent state");
  }

  @Test
  void anOldLibvirtDegradesNamingTheVersionNeeded() {
    calls.version = 5_006_000;
    assertThatThrownBy(() -> agent.getFsinfo())
        .isInstanceOf(AgentUnsupportedException.class)
        .hasMessageContaining("libvirt 5.6.0 has no typed call for guest-get-fsinfo")
        .hasMessageContaining("needs 5.7.0");
    var caps = agent.capabilities();
    assertThat(caps.supports("guest-get-time")).isTrue();
    assertThat(caps.supports("guest-network-get-interfaces")).isTrue();
    assertThat(caps.supports("guest-get-fsinfo")).isFalse();
    assertThat(caps.known()).contains("guest-get-fsinfo", "guest-get-users");
  }

  @Test
  void anAgentLibvirtSeesDisconnectedIsNotResponding() {
    calls.connected = false;
    assertThatThrownBy(agent::ping)
        .isInstanceOf(AgentConnectionException.class)
        .hasMessageContaining("libvirt sees the guest agent not connected");
    assertThatThrownBy(agent::info).isInstanceOf(AgentConnectionException.class);
  }

  @Test
  void libvirtErrorsMapAsOnTheRawRoute() {
    calls.failure =
        new LibvirtFailure(
            "VIR_ERR_AGENT_UNRESPONSIVE",
            "Guest agent is not responding: QEMU guest agent is not connected");
    assertThatThrownBy(agent::getUsers).isInstanceOf(AgentTimeoutException.class);
    calls.failure =
        new LibvirtFailure(
            "VIR_ERR_INTERNAL_ERROR",
            "internal error: unable to execute QEMU agent command 'guest-get-users': Command"
                + " guest-get-users has been disabled");
    assertThatThrownBy(agent::getUsers).isInstanceOf(AgentUnsupportedException.class);
  }

  @Test
  void countsLargerThanTheEntriesGiveOnlyTheRealOnes() {
    Map<String, Object> lying = new LinkedHashMap<>(calls.info.values());
    lying.put("fs.count", 4_000_000_000L);
    lying.put("user.count", -1L);
    calls.info = TypedParams.of(lying);
    assertThat(agent.getFsinfo()).hasSize(1);
    assertThat(agent.getUsers()).isEmpty();
  }
}
