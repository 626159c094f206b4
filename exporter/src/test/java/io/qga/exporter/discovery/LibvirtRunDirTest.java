package io.qga.exporter.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.client.AgentAddress;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibvirtRunDirTest {
  @TempDir Path dir;

  static byte[] fixture(String name) throws Exception {
    try (InputStream in = LibvirtRunDirTest.class.getResourceAsStream("/libvirt/" + name)) {
      assertThat(in).as("fixture " + name).isNotNull();
      return in.readAllBytes();
    }
  }

  private static LibvirtRunDir.Result parse(String fixture, boolean useLibvirtChannel)
      throws Exception {
    return LibvirtRunDir.parse(fixture(fixture), fixture, useLibvirtChannel);
  }

  @Test
  void onlyLibvirtsChannelRoutesThroughLibvirt() throws Exception {
    assertThat(parse("only-0.xml", true))
        .isEqualTo(
            new LibvirtRunDir.Found(
                new DiscoveredDomain(
                    "only-0",
                    Optional.of("4dea22b3-1d52-d8f3-2516-782e98ab3fa0"),
                    new Route.Libvirt(
                        "only-0", Optional.of("4dea22b3-1d52-d8f3-2516-782e98ab3fa0")))));
  }

  @Test
  void onlyLibvirtsChannelIsSkippedWhenNotRoutingThroughLibvirt() throws Exception {
    assertThat(parse("only-0.xml", false))
        .isInstanceOfSatisfying(
            LibvirtRunDir.Skipped.class,
            s -> {
              assertThat(s.reason())
                  .contains("only-0")
                  .contains("org.qemu.guest_agent.0")
                  .contains("use_libvirt_channel");
              assertThat(s.warn()).isTrue();
            });
  }

  @Test
  void aSecondChannelIsPreferredOverLibvirtsOwn() throws Exception {
    for (boolean viaLibvirt : new boolean[] {true, false}) {
      assertThat(parse("with-0-and-1.xml", viaLibvirt))
          .isEqualTo(
              new LibvirtRunDir.Found(
                  new DiscoveredDomain(
                      "two-channels",
                      Optional.of("b5c3e5a2-7c1e-4f0e-9d7a-0a1b2c3d4e5f"),
                      new Route.Direct(
                          AgentAddress.unix("/run/qga-exporter/two-channels.agent1.sock")))));
    }
  }

  @Test
  void bareDomainXmlAndLowestChannelNumber() throws Exception {
    assertThat(parse("bare-domain.xml", true))
        .isEqualTo(
            new LibvirtRunDir.Found(
                new DiscoveredDomain(
                    "bare",
                    Optional.of("11111111-2222-3333-4444-555555555555"),
                    new Route.Direct(AgentAddress.unix("/run/qga/bare.1.sock")))));
  }

  @Test
  void domainWithoutAgentChannelIsSkippedQuietly() throws Exception {
    assertThat(parse("no-agent.xml", true))
        .isInstanceOfSatisfying(
            LibvirtRunDir.Skipped.class,
            s -> {
              assertThat(s.reason()).contains("no-agent has no guest agent channel");
              assertThat(s.warn()).isFalse();
            });
  }

  @Test
  void malformedFileIsSkipped() throws Exception {
    assertThat(parse("malformed.xml", true))
        .isInstanceOfSatisfying(
            LibvirtRunDir.Skipped.class,
            s -> assertThat(s.reason()).startsWith("malformed.xml is not valid XML"));
  }

  @Test
  void doctypeAndExternalEntitiesAreRefused() throws Exception {
    assertThat(parse("xxe.xml", true))
        .isInstanceOfSatisfying(
            LibvirtRunDir.Skipped.class, s -> assertThat(s.reason()).contains("DOCTYPE"));
  }

  @Test
  void otherRootElementsAreSkipped() {
    assertThat(
            LibvirtRunDir.parse(
                "<network><name>x</name></network>".getBytes(StandardCharsets.UTF_8),
                "n.xml",
                true))
        .isInstanceOf(LibvirtRunDir.Skipped.class);
  }

  @Test
  void filesListsOnlyXmlFilesSorted() throws Exception {
    Files.write(dir.resolve("b.xml"), fixture("only-0.xml"));
    Files.write(dir.resolve("a.xml"), fixture("no-agent.xml"));
    Files.writeString(dir.resolve("a.pid"), "1");
    Files.createDirectory(dir.resolve("c.xml"));
    assertThat(LibvirtRunDir.files(dir))
        .containsExactly(dir.resolve("a.xml"), dir.resolve("b.xml"));
    assertThat(LibvirtRunDir.files(dir.resolve("missing"))).isEmpty();
  }

  @Test
  void oversizedFileIsSkippedWithoutReading() throws Exception {
    Path big = dir.resolve("big.xml");
    Files.write(big, new byte[(int) LibvirtRunDir.MAX_FILE_BYTES + 1]);
    assertThat(LibvirtRunDir.read(big, true))
        .isInstanceOfSatisfying(
            LibvirtRunDir.Skipped.class, s -> assertThat(s.reason()).contains("larger than"));
  }
}
