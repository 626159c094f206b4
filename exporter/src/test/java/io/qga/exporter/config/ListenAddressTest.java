package io.qga.exporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ListenAddressTest {
  @Test
  void parsesHostPortForms() {
    assertThat(ListenAddress.parse("0.0.0.0:9920")).isEqualTo(new ListenAddress("0.0.0.0", 9920));
    assertThat(ListenAddress.parse("[::]:9920")).isEqualTo(new ListenAddress("::", 9920));
    assertThat(ListenAddress.parse("localhost:0")).isEqualTo(new ListenAddress("localhost", 0));
    assertThat(ListenAddress.parse(":9920")).isEqualTo(new ListenAddress("", 9920));
    assertThat(ListenAddress.parse("[::1]:80")).hasToString("[::1]:80");
    assertThat(ListenAddress.parse("127.0.0.1:80").socketAddress().getPort()).isEqualTo(80);
    assertThat(ListenAddress.parse(":80").socketAddress().getAddress().isAnyLocalAddress())
        .isTrue();
  }

  @Test
  void namesWhatIsWrong() {
    assertThatThrownBy(() -> ListenAddress.parse("::1:80"))
        .hasMessageContaining("is not host:port");
    assertThatThrownBy(() -> ListenAddress.parse("host:http"))
        .hasMessageContaining("port \"http\" is not a number");
    assertThatThrownBy(() -> ListenAddress.parse("host:-1"))
        .hasMessageContaining("out of range 0..65535");
    assertThatThrownBy(() -> ListenAddress.parse("[::1:80")).hasMessageContaining("IPv6");
  }
}
