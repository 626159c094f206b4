package io.qga.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AgentAddressTest {

  @Test
  void parsesVsock() {
    AgentAddress.Vsock v = AgentAddress.Vsock.parse("3:1234");
    assertThat(v.cid()).isEqualTo(3);
    assertThat(v.port()).isEqualTo(1234);
    assertThat(v).hasToString("vsock:3:1234");
  }

  @Test
  void vsockKeepsUnsignedValues() {
    assertThat(AgentAddress.Vsock.parse("4294967295:4294967295"))
        .hasToString("vsock:4294967295:4294967295");
  }

  @Test
  void rejectsBadVsock() {
    for (String bad :
        new String[] {"", "3", ":1", "3:", "a:1", "3:1:2", "-1:5", "4294967296:1", null}) {
      assertThatThrownBy(() -> AgentAddress.Vsock.parse(bad))
          .as(String.valueOf(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("vsock address");
    }
  }

  @Test
  void unixNeedsAPath() {
    assertThat(AgentAddress.unix("/run/qga/a.sock")).hasToString("unix:/run/qga/a.sock");
    assertThatThrownBy(() -> AgentAddress.unix(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
