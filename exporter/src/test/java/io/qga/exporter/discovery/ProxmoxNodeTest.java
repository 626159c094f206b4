package io.qga.exporter.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.client.AgentAddress;
import io.qga.exporter.config.DiscoveryConfig;
import io.qga.exporter.config.GlobPattern;
import io.qga.exporter.config.LibvirtConfig;
import io.qga.exporter.config.ProxmoxConfig;
import io.qga.exporter.config.StaticDomain;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code discovery.proxmox} on real directories: unix sockets named as Proxmox's QEMU names them
 * ({@code VMID.qga}) and VM configs in Proxmox's format (src/test/resources/proxmox).
 */
class ProxmoxNodeTest {
  @TempDir Path dir;
  private Path sockets;
  private Path confs;
  private final List<ServerSocketChannel> open = new ArrayList<>();

  @BeforeEach
  void dirs() throws IOException {
    sockets = Files.createDirectories(dir.resolve("run"));
    confs = Files.createDirectories(dir.resolve("etc"));
  }

  @AfterEach
  void close() throws IOException {
    for (ServerSocketChannel c : open) {
      c.close();
    }
  }

  private Path socket(String name) throws IOException {
    Path p = sockets.resolve(name);
    open.add(Sockets.listen(p));
    return p;
  }

  private void conf(int vmid) throws IOException {
    Files.copy(
        Path.of("src/test/resources/proxmox/" + vmid + ".conf"), confs.resolve(vmid + ".conf"));
  }

  private List<DiscoveredDomain> scan() {
    return new ProxmoxNode(new ProxmoxConfig(true, sockets, confs)).scan();
  }

  private static DiscoveredDomain domain(String name, String uuid, Path socket) {
    return new DiscoveredDomain(
        name, Optional.ofNullable(uuid), new Route.Direct(AgentAddress.unix(socket)));
  }

  @Test
  void namesAndUuidsComeFromTheConfsAndDuplicatesGetTheirVmid() throws Exception {
    for (int vmid : List.of(100, 101, 102, 103)) {
      conf(vmid);
    }
    Path s100 = socket("100.qga");
    Path s101 = socket("101.qga");
    Path s102 = socket("102.qga");
    Path s103 = socket("103.qga"); // agent off in the conf, socket there: polled
    Path s104 = socket("104.qga"); // no conf at all: named by VMID
    assertThat(scan())
        .containsExactly(
            domain("web-1", "5c5b1f5e-3c1a-4d6e-9a1b-0f3e2d4c5b6a", s100),
            domain("db-1", "7f0e4a6b-1c2d-4e3f-8a9b-0c1d2e3f4a5b", s101),
            domain("web-1-102", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", s102),
            domain("legacy", null, s103),
            domain("104", null, s104));
  }

  @Test
  void onlyVmidDotQgaSocketsCount() throws Exception {
    socket("abc.qga");
    socket("0100.qga");
    socket("100.qga.old");
    socket("100.qmp"); // Proxmox's QMP monitor socket sits beside the agent's: never the agent
    Files.writeString(sockets.resolve("105.qga"), "not a socket");
    Path s106 = socket("106.qga");
    assertThat(scan()).containsExactly(domain("106", null, s106));
  }

  @Test
  void missingDirectoriesGiveNothing() {
    assertThat(
            new ProxmoxNode(new ProxmoxConfig(true, dir.resolve("none"), dir.resolve("none2")))
                .scan())
        .isEmpty();
  }

  @Test
  void adminWrittenNamesAreCleanedAndUnusableOnesFallBackToTheVmid() throws Exception {
    Files.writeString(confs.resolve("200.conf"), "name: bad\u0007name\nagent: 1\n");
    Files.writeString(confs.resolve("201.conf"), "name: a/b\nagent: 1\n");
    Files.writeString(confs.resolve("202.conf"), "name: " + "x".repeat(5000) + "\nagent: 1\n");
    Files.writeString(confs.resolve("203.conf"), "agent: 1\nname:\n");
    socket("200.qga");
    socket("201.qga");
    socket("202.qga");
    socket("203.qga");
    List<String> names = scan().stream().map(DiscoveredDomain::name).toList();
    assertThat(names.get(0)).isEqualTo("bad\uFFFDname");
    assertThat(names.get(1)).isEqualTo("201");
    assertThat(names.get(2)).hasSizeLessThanOrEqualTo(128).startsWith("xxx");
    assertThat(names.get(3)).isEqualTo("203");
  }

  @Test
  void onlyTheHeadOfAHugeConfIsRead() throws Exception {
    String filler = "#" + "x".repeat(1023) + "\n";
    Files.writeString(
        confs.resolve("300.conf"),
        filler.repeat(ProxmoxNode.MAX_CONF_BYTES / 1024) + "name: beyond-the-limit\n");
    socket("300.qga");
    assertThat(scan()).extracting(DiscoveredDomain::name).containsExactly("300");
  }

  @Test
  void parsesTheAgentOptionAsProxmoxWritesIt() {
    assertThat(ProxmoxNode.agentEnabled("1")).isTrue();
    assertThat(ProxmoxNode.agentEnabled("enabled=1")).isTrue();
    assertThat(ProxmoxNode.agentEnabled("1,fstrim_cloned_disks=1,type=virtio")).isTrue();
    assertThat(ProxmoxNode.agentEnabled("fstrim_cloned_disks=1,enabled=1")).isTrue();
    assertThat(ProxmoxNode.agentEnabled("0")).isFalse();
    assertThat(ProxmoxNode.agentEnabled("enabled=0,fstrim_cloned_disks=1")).isFalse();
    assertThat(ProxmoxNode.parse("name: a\n[snap]\nagent: 1\n").agent()).isFalse();
    assertThat(ProxmoxNode.parse("smbios1: uuid=<script>\n").uuid()).isEmpty();
  }

  @Test
  void discoveryMergesProxmoxBelowStaticAndAboveGlobs() throws Exception {
    conf(100);
    conf(101);
    socket("100.qga");
    Path s101 = socket("101.qga");
    Path other = dir.resolve("web-1.sock");
    open.add(Sockets.listen(other));
    Path globbed = Files.createDirectories(dir.resolve("glob"));
    Path db = globbed.resolve("db-1.sock");
    open.add(Sockets.listen(db));
    var config =
        new DiscoveryConfig(
            Duration.ofSeconds(30),
            List.of(new StaticDomain("web-1", AgentAddress.unix(other))),
            List.of(new GlobPattern(globbed + "/*.sock")),
            LibvirtConfig.DEFAULT,
            new ProxmoxConfig(true, sockets, confs));
    // static web-1 wins over Proxmox's web-1; Proxmox's db-1 over the glob's db-1
    assertThat(new Discovery(config).refresh())
        .containsExactly(
            domain("db-1", "7f0e4a6b-1c2d-4e3f-8a9b-0c1d2e3f4a5b", s101).withSource("proxmox"),
            domain("web-1", null, other).withSource("static"));
    var off =
        new DiscoveryConfig(
            Duration.ofSeconds(30),
            List.of(),
            List.of(),
            LibvirtConfig.DEFAULT,
            new ProxmoxConfig(false, sockets, confs));
    assertThat(new Discovery(off).refresh()).isEmpty();
  }
}
