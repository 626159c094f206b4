package io.qga.exporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code discovery.libvirt.allow_raw_agent_commands}: false (typed calls only) by default. */
class LibvirtRawCommandsConfigTest {
  @TempDir Path dir;

  private boolean allowed(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, dir).discovery().libvirt().allowRawAgentCommands();
  }

  @Test
  void offByDefault() throws Exception {
    assertThat(allowed("")).isFalse();
    assertThat(allowed("discovery:\n  libvirt:\n    enabled: true\n")).isFalse();
    assertThat(LibvirtConfig.DEFAULT.allowRawAgentCommands()).isFalse();
  }

  @Test
  void theOperatorOptsIn() throws Exception {
    assertThat(allowed("discovery:\n  libvirt:\n    allow_raw_agent_commands: true\n")).isTrue();
    assertThat(allowed("discovery:\n  libvirt:\n    allow_raw_agent_commands: false\n")).isFalse();
  }

  @Test
  void aValueThatIsNotABooleanNamesThePath() {
    assertThatThrownBy(
            () -> allowed("discovery:\n  libvirt:\n    allow_raw_agent_commands: yes please\n"))
        .isInstanceOf(ConfigException.class)
        .extracting(e -> ((ConfigException) e).problems().toString())
        .asString()
        .contains("/discovery/libvirt/allow_raw_agent_commands")
        .contains("must be true or false");
  }

  @Test
  void aMisspelledKeyListsTheSwitch() {
    assertThatThrownBy(() -> allowed("discovery:\n  libvirt:\n    allow_raw_commands: true\n"))
        .isInstanceOf(ConfigException.class)
        .extracting(e -> ((ConfigException) e).problems().toString())
        .asString()
        .contains("/discovery/libvirt: unknown key 'allow_raw_commands'")
        .contains("allow_raw_agent_commands");
  }
}
