package io.qga.exporter.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The typed calls through the real {@code libvirt.so.0}, on libvirt's test driver ({@code
 * test:///default}: a running domain "test" with a fake agent, no daemon, no VM). It serves
 * interface addresses, time, freeze, thaw and trim; guest info and guest vCPUs are not in the test
 * driver, which gives the error path (the e2e suite covers those on a real guest).
 */
@Tag("real")
class JnaGuestCallsTest {
  private JnaLibvirt libvirt;
  private LibvirtGuestCalls calls;
  private final Optional<String> byName = Optional.empty();

  @BeforeEach
  void open() throws Exception {
    LibvirtSourceTest.requireLibvirt();
    libvirt = new JnaLibvirt("test:///default");
    calls = libvirt.guest();
  }

  @AfterEach
  void close() {
    if (libvirt != null) {
      libvirt.close();
    }
  }

  @Test
  void interfaceAddressesAreReadFromLibvirtsStructs() throws Exception {
    assertThat(calls.interfaceAddresses("test", byName))
        .containsExactly(
            new LibvirtGuestCalls.Interface(
                "testnet0",
                "aa:bb:cc:dd:ee:ff",
                List.of(new LibvirtGuestCalls.Address(0, "192.168.122.3", 24))));
  }

  @Test
  void timeFreezeThawAndTrim() throws Exception {
    assertThat(calls.getTime("test", byName)).isEqualTo(627_319_920L * 1_000_000_000L);
    assertThat(calls.fsfreeze("test", byName, List.of())).isEqualTo(2);
    assertThat(calls.fsthaw("test", byName)).isEqualTo(2);
    assertThat(calls.fsthaw("test", byName)).isZero();
    calls.fstrim("test", byName, 0);
    assertThat(calls.libVersion()).isGreaterThanOrEqualTo(1_000_000L);
  }

  @Test
  void libvirtsErrorsArriveWithTheirCodeAndMessage() {
    assertThatThrownBy(() -> calls.guestInfo("test", byName, LibvirtGuestCalls.INFO_USERS))
        .isInstanceOf(LibvirtFailure.class)
        .hasMessageContaining("virDomainGetGuestInfo")
        .extracting(e -> ((LibvirtFailure) e).code())
        .isEqualTo("VIR_ERR_NO_SUPPORT");
    assertThatThrownBy(() -> calls.getTime("no-such-domain", byName))
        .isInstanceOf(LibvirtFailure.class)
        .extracting(e -> ((LibvirtFailure) e).code())
        .isEqualTo("VIR_ERR_NO_DOMAIN");
  }

  @Test
  void theTestDomainHasNoAgentChannelSoLibvirtSeesNoAgent() throws Exception {
    assertThat(calls.agentConnected("test", byName)).isFalse();
  }
}
