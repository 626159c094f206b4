package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressTextTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "192.0.2.10",
        "0.0.0.0",
        "255.255.255.255",
        "::",
        "::1",
        "fe80::5054:ff:feab:cdef",
        "fe80::5cb2:8a1f:2c11:9e4d%6",
        "fe80::1%eth0",
        "2001:db8:0:0:0:0:0:1",
        "2001:DB8::1",
        "::ffff:192.0.2.1",
        "64:ff9b::192.0.2.33",
        "1::",
      })
  void addresses(String text) {
    assertThat(IpAddressText.isIpAddress(text)).as(text).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{{ lookup('pipe', 'touch /tmp/pwned') }}",
        "192.0.2.10 {{ 7*7 }}",
        "localhost",
        "example.com",
        "deadbeef",
        "256.1.1.1",
        "1.2.3",
        "1.2.3.4.5",
        "01.2.3.4",
        "1.2.3.4\n",
        " 1.2.3.4",
        "1.2.3.4/24",
        "１.2.3.4",
        ":::",
        "1::2::3",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        "12345::1",
        "fe80::1%",
        "fe80::1%eth0;touch",
        "fe80::1%{{x}}",
        "g::1",
        "::1.2.3",
        "::1.2.3.4:1",
      })
  void notAddresses(String text) {
    assertThat(IpAddressText.isIpAddress(text)).as(text).isFalse();
  }
}
