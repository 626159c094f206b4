package io.qga.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HostileMode#LABEL_TEMPLATE}: every name a consumer might template is a Jinja2 payload. */
class TemplateLabelsTest {
  @TempDir Path dir;

  @Test
  void namesAreJinjaPayloadsThatTouchAMarkerFile() throws IOException {
    SimulatedGuest guest =
        SimulatedGuest.builder("evil").hostile(HostileMode.parse("label-template")).build();
    try (SimulatedAgent agent = SimulatedAgent.start(dir.resolve("evil.sock"), guest);
        RawClient c = RawClient.connect(agent.socket())) {
      c.sync();
      String payload = "{{ lookup('pipe', 'touch ${QGA_PWNED_DIR:-/tmp}/qga-pwned-0') }}";
      assertThat(c.returnOf("guest-get-host-name").get("host-name").asText()).isEqualTo(payload);
      assertThat(c.returnOf("guest-get-osinfo").get("pretty-name").asText())
          .isEqualTo(payload.replace("pwned-0", "pwned-2"));
      assertThat(c.returnOf("guest-get-users").get(0).get("user").asText()).isEqualTo(payload);
      assertThat(c.returnOf("guest-get-fsinfo").get(0).get("mountpoint").asText())
          .contains("qga-pwned-1");
      JsonNode nic = c.returnOf("guest-network-get-interfaces").get(0);
      assertThat(nic.get("name").asText()).isEqualTo(payload);
      assertThat(nic.get("ip-addresses").get(0).get("ip-address").asText())
          .contains("{{ lookup('pipe'");
      assertThat(c.returnOf("guest-info").get("version").asText())
          .as("the handshake stays normal")
          .doesNotContain("{{");
    }
  }
}
