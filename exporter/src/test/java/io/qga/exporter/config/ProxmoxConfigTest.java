package io.qga.exporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code discovery.proxmox}: defaults, relative paths, and strict errors with YAML paths. */
class ProxmoxConfigTest {
  @TempDir Path dir;

  @Test
  void offByDefaultWithProxmoxsDirectories() throws Exception {
    ProxmoxConfig p = ConfigLoader.parse("", dir).discovery().proxmox();
    assertThat(p)
        .isEqualTo(
            new ProxmoxConfig(
                false, Path.of("/var/run/qemu-server"), Path.of("/etc/pve/qemu-server")));
    assertThat(
            ConfigLoader.parse("discovery: {proxmox: {enabled: true}}", dir)
                .discovery()
                .proxmox()
                .enabled())
        .isTrue();
  }

  @Test
  void pathsAreResolvedAgainstTheConfigDirectory() throws Exception {
    ProxmoxConfig p =
        ConfigLoader.parse(
                "discovery:\n"
                    + "  proxmox:\n"
                    + "    enabled: true\n"
                    + "    socket_dir: run\n"
                    + "    config_dir: /srv/pve\n",
                dir)
            .discovery()
            .proxmox();
    assertThat(p).isEqualTo(new ProxmoxConfig(true, dir.resolve("run"), Path.of("/srv/pve")));
  }

  @Test
  void mistakesAreNamedByTheirYamlPath() throws Exception {
    Files.writeString(dir.resolve("afile"), "x");
    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    "discovery:\n"
                        + "  proxmox:\n"
                        + "    enabled: yes-please\n"
                        + "    sockets: /run\n"
                        + "    config_dir: afile\n",
                    dir))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(((ConfigException) e).problems())
                    .extracting(ConfigProblem::toString)
                    .containsExactlyInAnyOrder(
                        "/discovery/proxmox: unknown key 'sockets' (valid: enabled, socket_dir,"
                            + " config_dir)",
                        "/discovery/proxmox/enabled: must be true or false, got \"yes-please\"",
                        "/discovery/proxmox/config_dir: "
                            + dir.resolve("afile")
                            + " is a file, not a directory of VMID.conf files"));
    assertThatThrownBy(() -> ConfigLoader.parse("discovery: {proxmox: [1]}", dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("/discovery/proxmox");
    assertThatThrownBy(() -> ConfigLoader.parse("discovery: {proxmox: {socket_dir: \"\"}}", dir))
        .hasMessageContaining("/discovery/proxmox/socket_dir: must not be blank");
  }
}
