package io.qga.exporter.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.client.AgentAddress;
import io.qga.client.api.FreezeStatus;
import io.qga.client.api.NetworkInterface;
import io.qga.client.protocol.AgentSession;
import io.qga.collectors.Collectors;
import io.qga.collectors.GuestRecord;
import io.qga.exporter.runtime.DomainHandle;
import io.qga.exporter.runtime.GuestData;
import io.qga.sim.SimulatedAgent;
import io.qga.sim.SimulatedGuest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real collectors polling a simulated agent leave the typed data the API and the policies read:
 * decoded once by the collectors, kept by the domain, still there while the guest is frozen and
 * refuses the commands that produced it.
 */
class PolledGuestDataTest {
  @TempDir Path dir;

  @Test
  void thePolledDomainKeepsEachCollectorsTypedRecordAndTheFreezeState() throws Exception {
    Path socket = dir.resolve("vm.sock");
    Map<String, Duration> intervals = new LinkedHashMap<>();
    Collectors.names().forEach(n -> intervals.put(n, Duration.ofMillis(200)));
    try (SimulatedAgent agent = SimulatedAgent.start(socket, SimulatedGuest.builder("vm").build());
        Poller poller =
            new Poller(
                Collectors.all(),
                PollSettings.of(intervals).withCommandTimeout(Duration.ofSeconds(2)),
                2,
                Clock.systemUTC())) {
      poller.start();
      poller.setTargets(
          List.of(
              new PollTarget(
                  "vm",
                  Optional.empty(),
                  "unix:" + socket,
                  () -> new AgentSession(new AgentAddress.Unix(socket)))));
      DomainHandle vm = poller.find("vm").orElseThrow();
      Await.until(
          Duration.ofSeconds(20),
          "every part polled",
          () -> {
            GuestData g = vm.guest();
            return !g.commands().isEmpty()
                && g.interfaces() != null
                && g.filesystems() != null
                && g.users() != null
                && g.os() != null
                && g.timeOffset() != null
                && g.freeze() != null
                && g.vcpus() != null;
          });
      GuestData polled = vm.guest();
      assertThat(polled.commands()).contains("guest-get-fsinfo", "guest-network-get-interfaces");
      assertThat(polled.os().hostName()).isNotBlank();
      assertThat(polled.interfaceList()).extracting(NetworkInterface::name).contains("lo");
      assertThat(polled.filesystemList()).isNotEmpty();
      assertThat(polled.freeze().status()).isEqualTo(FreezeStatus.THAWED);
      assertThat(vm.state().frozen()).isFalse();
      // the record the filesystem collector handed over is the one the guest data keeps
      assertThat(polled.filesystems()).isInstanceOf(GuestRecord.Filesystems.class);

      vm.agent().fsfreezeFreeze();
      try {
        Await.until(Duration.ofSeconds(10), "the freeze polled", () -> vm.state().frozen());
        GuestData frozen = vm.guest();
        Thread.sleep(1000); // five poll intervals
        // frozen, the agent refuses guest-get-fsinfo: the last filesystems stay for the API
        assertThat(vm.guest().filesystems()).isNotNull().isSameAs(frozen.filesystems());
        assertThat(vm.guest().frozen()).isTrue();
      } finally {
        vm.agent().fsfreezeThaw();
      }
      Await.until(Duration.ofSeconds(10), "the thaw polled", () -> !vm.state().frozen());
    }
  }
}
