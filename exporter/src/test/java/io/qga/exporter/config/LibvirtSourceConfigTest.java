package io.qga.exporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qga.exporter.config.LibvirtConfig.Source;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code discovery.libvirt.source}: auto (default), run_dir, api. */
class LibvirtSourceConfigTest {
  @TempDir Path dir;

  private Source source(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, dir).discovery().libvirt().source();
  }

  @Test
  void defaultIsAuto() throws Exception {
    assertThat(source("")).isEqualTo(Source.AUTO);
    assertThat(source("discovery:\n  libvirt:\n    enabled: true\n")).isEqualTo(Source.AUTO);
  }

  @Test
  void eachSpelling() throws Exception {
    assertThat(source("discovery:\n  libvirt:\n    source: api\n")).isEqualTo(Source.API);
    assertThat(source("discovery:\n  libvirt:\n    source: run_dir\n")).isEqualTo(Source.RUN_DIR);
    assertThat(source("discovery:\n  libvirt:\n    source: auto\n")).isEqualTo(Source.AUTO);
  }

  @Test
  void anUnknownSourceNamesThePathAndTheChoices() {
    assertThatThrownBy(() -> source("discovery:\n  libvirt:\n    source: files\n"))
        .isInstanceOf(ConfigException.class)
        .extracting(e -> ((ConfigException) e).problems().toString())
        .asString()
        .contains("/discovery/libvirt/source")
        .contains("\"files\" is not one of auto, run_dir, api");
  }
}
