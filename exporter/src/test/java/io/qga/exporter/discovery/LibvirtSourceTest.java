package io.qga.exporter.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.exporter.config.LibvirtConfig;
import io.qga.exporter.config.LibvirtConfig.Source;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where libvirt domains come from. The API path runs the real JNA code against libvirt's built-in
 * test driver ({@code test:///FILE}: running domains defined by a node XML, no daemon, no VM); the
 * non-root fallback itself, with root-only files, is {@link NonRootDiscoveryTest}.
 */
class LibvirtSourceTest {
  @TempDir Path dir;

  private static final LibvirtSource.DomainLister NEVER =
      uri -> {
        throw new AssertionError("the API must not be asked while the run dir is readable");
      };

  private Path node() throws Exception {
    Path node = dir.resolve("node.xml");
    try (InputStream in = getClass().getResourceAsStream("/libvirt/test-driver-node.xml")) {
      Files.copy(in, node, StandardCopyOption.REPLACE_EXISTING);
    }
    return node;
  }

  private static List<String> domains(LibvirtSource.Outcome o) {
    return o.found().stream()
        .map(f -> f.domain().name() + " " + f.domain().route().describe())
        .toList();
  }

  @Test
  @Tag("real")
  void apiListsEveryActiveDomainOverTheRealLibrary() throws Exception {
    requireLibvirt();
    LibvirtConfig c =
        new LibvirtConfig(true, dir.resolve("unused"), "test://" + node(), true, Source.API);
    LibvirtSource.Outcome o = new LibvirtSource(c, LibvirtSource.JNA, "tester").refresh();
    assertThat(domains(o))
        .containsExactlyInAnyOrder("web-1 /run/qga-test/web-1.agent1.sock", "db-1 libvirt:db-1");
    assertThat(o.errors()).isEqualTo(Map.of(LibvirtSource.API, 0));
    assertThat(o.problems()).isEmpty();
    assertThat(
            o.found().stream()
                .filter(f -> f.domain().name().equals("web-1"))
                .findFirst()
                .orElseThrow()
                .domain()
                .uuid())
        .contains("6695eb01-f6a4-8304-79aa-97f2502e193f");
  }

  @Test
  @Tag("real")
  void apiFailureIsCountedAndNamesTheUriTheUserAndTheFix() throws Exception {
    requireLibvirt();
    String uri = "test://" + dir.resolve("no-such-node.xml");
    LibvirtConfig c = new LibvirtConfig(true, dir.resolve("unused"), uri, true, Source.API);
    LibvirtSource.Outcome o = new LibvirtSource(c, LibvirtSource.JNA, "tester").refresh();
    assertThat(o.found()).isEmpty();
    assertThat(o.errors()).isEqualTo(Map.of(LibvirtSource.API, 1));
    assertThat(o.problems())
        .singleElement()
        .asString()
        .contains("read-only libvirt connection to " + uri)
        .contains("as user tester")
        .contains("Fix:")
        .contains("docs/operations.md");
  }

  @Test
  void autoReadsTheRunDirWhileEveryFileIsReadable() throws Exception {
    Path run = Files.createDirectories(dir.resolve("run"));
    try (InputStream in = getClass().getResourceAsStream("/libvirt/with-0-and-1.xml")) {
      Files.copy(in, run.resolve("two-channels.xml"));
    }
    LibvirtConfig c = new LibvirtConfig(true, run, "qemu:///system", true, Source.AUTO);
    LibvirtSource.Outcome o = new LibvirtSource(c, NEVER, "root").refresh();
    assertThat(domains(o))
        .containsExactly("two-channels /run/qga-exporter/two-channels.agent1.sock");
    assertThat(o.errors()).isEqualTo(Map.of(LibvirtSource.RUN_DIR, 0, LibvirtSource.API, 0));
    assertThat(o.problems()).isEmpty();
  }

  /** A .0-only domain is typed unless raw agent commands are allowed; each says its source. */
  @Test
  void libvirtRoutesAreTypedUnlessRawCommandsAreAllowedAndCarryTheirSource() throws Exception {
    Path run = Files.createDirectories(dir.resolve("run"));
    try (InputStream in = getClass().getResourceAsStream("/libvirt/only-0.xml")) {
      Files.copy(in, run.resolve("only-0.xml"));
    }
    try (InputStream in = getClass().getResourceAsStream("/libvirt/with-0-and-1.xml")) {
      Files.copy(in, run.resolve("two-channels.xml"));
    }
    for (boolean raw : List.of(false, true)) {
      LibvirtConfig c = new LibvirtConfig(true, run, "qemu:///system", true, Source.AUTO, raw);
      LibvirtSource.Outcome o = new LibvirtSource(c, NEVER, "root").refresh();
      assertThat(o.found())
          .extracting(f -> f.domain().route().kind() + " " + f.domain().source())
          .containsExactlyInAnyOrder(
              (raw ? "libvirt_raw" : "libvirt_typed") + " " + LibvirtSource.RUN_DIR,
              "direct " + LibvirtSource.RUN_DIR);
    }
  }

  @Test
  void aMissingRunDirIsNoErrorAndAsksNoLibvirt() {
    for (Source s : List.of(Source.AUTO, Source.RUN_DIR)) {
      LibvirtConfig c = new LibvirtConfig(true, dir.resolve("absent"), "qemu:///system", true, s);
      LibvirtSource.Outcome o = new LibvirtSource(c, NEVER, "root").refresh();
      assertThat(o.found()).isEmpty();
      assertThat(o.problems()).isEmpty();
      assertThat(o.errors().values()).containsOnly(0);
    }
  }

  @Test
  void runDirModeNeverAsksTheApi() throws Exception {
    Path run = Files.createDirectories(dir.resolve("run"));
    LibvirtConfig c = new LibvirtConfig(true, run, "qemu:///system", true, Source.RUN_DIR);
    LibvirtSource.Outcome o = new LibvirtSource(c, NEVER, "root").refresh();
    assertThat(o.errors()).isEqualTo(Map.of(LibvirtSource.RUN_DIR, 0));
  }

  @Test
  void badApiXmlIsSkippedNotFatal() {
    LibvirtConfig c = new LibvirtConfig(true, dir, "qemu:///system", true, Source.API);
    LibvirtSource.Outcome o =
        new LibvirtSource(
                c,
                uri ->
                    List.of(
                        "<domain><name>x</name>",
                        "<domain><name>ok</name><devices><channel type='unix'><source mode='bind'"
                            + " path='/s/ok.sock'/><target type='virtio'"
                            + " name='org.qemu.guest_agent.1'/></channel></devices></domain>"),
                "u")
            .refresh();
    assertThat(domains(o)).containsExactly("ok /s/ok.sock");
    assertThat(o.logs()).anySatisfy(s -> assertThat(s.reason()).contains("not valid XML"));
    assertThat(o.errors()).isEqualTo(Map.of(LibvirtSource.API, 0));
  }

  @Test
  void aFailedListingKeepsTheDomainsOfTheLastOneSoALibvirtdRestartDropsNone() {
    LibvirtConfig c = new LibvirtConfig(true, dir.resolve("unused"), "qemu:///x", true, Source.API);
    String ok =
        "<domain><name>ok</name><devices><channel type='unix'><source mode='bind'"
            + " path='/s/ok.sock'/><target type='virtio'"
            + " name='org.qemu.guest_agent.1'/></channel></devices></domain>";
    boolean[] down = {false};
    LibvirtSource source =
        new LibvirtSource(
            c,
            uri -> {
              if (down[0]) {
                throw new LibvirtFailure("VIR_ERR_NO_CONNECT", "libvirtd is restarting");
              }
              return List.of(ok);
            },
            "u");
    assertThat(domains(source.refresh())).containsExactly("ok /s/ok.sock");

    down[0] = true;
    LibvirtSource.Outcome o = source.refresh();
    assertThat(domains(o)).containsExactly("ok /s/ok.sock");
    assertThat(o.errors()).isEqualTo(Map.of(LibvirtSource.API, 1));
    assertThat(o.problems()).singleElement().asString().contains("libvirtd is restarting");
  }

  static void requireLibvirt() {
    boolean lib =
        Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libvirt.so.0"))
            || Files.exists(Path.of("/usr/lib64/libvirt.so.0"))
            || Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/libvirt.so.0"));
    if (!lib) {
      if ("1".equals(System.getenv("QGA_REQUIRE_REAL"))) {
        throw new AssertionError(
            "libvirt.so.0 is missing (Debian package libvirt0) and QGA_REQUIRE_REAL=1");
      }
      Assumptions.abort(
          "libvirt.so.0 not installed (Debian package libvirt0): skipping the real libvirt test");
    }
  }
}
