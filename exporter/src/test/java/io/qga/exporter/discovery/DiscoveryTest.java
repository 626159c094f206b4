package io.qga.exporter.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.client.AgentAddress;
import io.qga.exporter.config.DiscoveryConfig;
import io.qga.exporter.config.GlobPattern;
import io.qga.exporter.config.LibvirtConfig;
import io.qga.exporter.config.StaticDomain;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscoveryTest {
  @TempDir Path dir;
  private final List<ServerSocketChannel> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (ServerSocketChannel ch : open) {
      ch.close();
    }
  }

  private ServerSocketChannel socket(Path path) throws Exception {
    Files.createDirectories(path.getParent());
    ServerSocketChannel ch = Sockets.listen(path);
    open.add(ch);
    return ch;
  }

  private static DiscoveredDomain direct(String name, Path socket) {
    return new DiscoveredDomain(
        name, Optional.empty(), new Route.Direct(AgentAddress.unix(socket)), "glob");
  }

  private DiscoveryConfig config(List<StaticDomain> statics, boolean libvirt, boolean viaLibvirt) {
    return new DiscoveryConfig(
        Duration.ofSeconds(30),
        statics,
        List.of(new GlobPattern(dir + "/qga/*.sock")),
        new LibvirtConfig(libvirt, dir.resolve("libvirt"), "qemu:///system", viaLibvirt));
  }

  @Test
  void staticOnly() {
    Discovery d =
        new Discovery(
            new DiscoveryConfig(
                Duration.ofSeconds(30),
                List.of(
                    new StaticDomain("web-1", AgentAddress.unix("/run/qga/web-1.sock")),
                    new StaticDomain("db-1", AgentAddress.vsock("3:1234"))),
                List.of(),
                LibvirtConfig.DEFAULT));
    assertThat(d.refresh())
        .containsExactly(
            new DiscoveredDomain(
                "db-1",
                Optional.empty(),
                new Route.Direct(new AgentAddress.Vsock(3, 1234)),
                "static"),
            direct("web-1", Path.of("/run/qga/web-1.sock")).withSource("static"));
    assertThat(d.refresh().get(0).route().describe()).isEqualTo("vsock:3:1234");
    assertThat(d.refresh().get(1).route().describe()).isEqualTo("/run/qga/web-1.sock");
  }

  @Test
  void globDomainsAppearAndVanishBetweenRefreshes() throws Exception {
    Discovery d = new Discovery(config(List.of(), false, true));
    assertThat(d.refresh()).isEmpty();

    Path a = dir.resolve("qga/a.sock");
    Path b = dir.resolve("qga/b.sock");
    ServerSocketChannel sa = socket(a);
    socket(b);
    Files.writeString(dir.resolve("qga/c.sock"), "a regular file, not a socket");
    List<DiscoveredDomain> first = d.refresh();
    assertThat(first).containsExactly(direct("a", a), direct("b", b));

    sa.close();
    Files.delete(a);
    Path c2 = dir.resolve("qga/d.sock");
    socket(c2);
    List<DiscoveredDomain> second = d.refresh();
    assertThat(second).containsExactly(direct("b", b), direct("d", c2));

    DiscoveryDiff diff = DiscoveryDiff.between(first, second);
    assertThat(diff.added()).containsExactly(direct("d", c2));
    assertThat(diff.removed()).containsExactly("a");
    assertThat(diff.changed()).isEmpty();
  }

  @Test
  void libvirtDomainsFromTheRunDirectory() throws Exception {
    Path run = Files.createDirectories(dir.resolve("libvirt"));
    Files.write(run.resolve("only-0.xml"), LibvirtRunDirTest.fixture("only-0.xml"));
    Files.write(run.resolve("two-channels.xml"), LibvirtRunDirTest.fixture("with-0-and-1.xml"));
    Files.write(run.resolve("no-agent.xml"), LibvirtRunDirTest.fixture("no-agent.xml"));
    Files.write(run.resolve("broken.xml"), LibvirtRunDirTest.fixture("malformed.xml"));
    Files.writeString(run.resolve("only-0.pid"), "4242");

    assertThat(new Discovery(config(List.of(), true, true)).refresh())
        .extracting(x -> x.name() + " " + x.route().describe())
        .containsExactly(
            "only-0 libvirt:only-0", "two-channels /run/qga-exporter/two-channels.agent1.sock");
    assertThat(new Discovery(config(List.of(), true, false)).refresh())
        .extracting(DiscoveredDomain::name)
        .containsExactly("two-channels");
    assertThat(new Discovery(config(List.of(), false, true)).refresh()).isEmpty();

    // the domain stops: its file goes away
    Discovery d = new Discovery(config(List.of(), true, true));
    List<DiscoveredDomain> before = d.refresh();
    Files.delete(run.resolve("only-0.xml"));
    assertThat(DiscoveryDiff.between(before, d.refresh()).removed()).containsExactly("only-0");

    // a file rewritten in place (libvirt updates the status XML) is read again
    before = d.refresh();
    Files.write(run.resolve("two-channels.xml"), LibvirtRunDirTest.fixture("only-0.xml"));
    Files.setLastModifiedTime(
        run.resolve("two-channels.xml"), java.nio.file.attribute.FileTime.fromMillis(0));
    DiscoveryDiff diff = DiscoveryDiff.between(before, d.refresh());
    assertThat(diff.added()).extracting(DiscoveredDomain::name).containsExactly("only-0");
    assertThat(diff.removed()).containsExactly("two-channels");
  }

  @Test
  void staticWinsOverLibvirtWinsOverGlob() throws Exception {
    Path run = Files.createDirectories(dir.resolve("libvirt"));
    Files.write(run.resolve("only-0.xml"), LibvirtRunDirTest.fixture("only-0.xml"));
    Files.write(run.resolve("two.xml"), LibvirtRunDirTest.fixture("with-0-and-1.xml"));
    Path globOnly0 = dir.resolve("qga/only-0.sock");
    Path globTwo = dir.resolve("qga/two-channels.sock");
    Path globOther = dir.resolve("qga/other.sock");
    socket(globOnly0);
    socket(globTwo);
    socket(globOther);
    Discovery d =
        new Discovery(
            config(
                List.of(new StaticDomain("two-channels", AgentAddress.unix("/static/two.sock"))),
                true,
                true));
    assertThat(d.refresh())
        .extracting(x -> x.name() + " " + x.route().describe())
        .containsExactly(
            "only-0 libvirt:only-0", "other " + globOther, "two-channels /static/two.sock");
  }

  @Test
  void conflictsAndBrokenFilesAreLoggedOnceWhileTheyLast() throws Exception {
    Logger logger = Logger.getLogger(Discovery.class.getName());
    List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            lines.add(record.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    logger.addHandler(handler);
    try {
      Path run = Files.createDirectories(dir.resolve("libvirt"));
      Files.write(run.resolve("broken.xml"), LibvirtRunDirTest.fixture("malformed.xml"));
      Path glob = dir.resolve("qga/web-1.sock");
      socket(glob);
      Discovery d =
          new Discovery(
              config(
                  List.of(new StaticDomain("web-1", AgentAddress.unix("/static/web-1.sock"))),
                  true,
                  true));
      for (int i = 0; i < 3; i++) {
        assertThat(d.refresh())
            .extracting(x -> x.route().describe())
            .containsExactly("/static/web-1.sock");
      }
      assertThat(lines).hasSize(2);
      assertThat(lines).anyMatch(l -> l.contains("broken.xml is not valid XML"));
      assertThat(lines)
          .anyMatch(
              l ->
                  l.contains(
                      "domain web-1 found twice: using /static/web-1.sock (static), ignoring "
                          + glob));

      // the conflict goes away, then comes back: logged again
      Files.delete(glob);
      d.refresh();
      socket(glob);
      d.refresh();
      assertThat(lines).filteredOn(l -> l.contains("found twice")).hasSize(2);
      assertThat(lines).filteredOn(l -> l.contains("broken.xml")).hasSize(1);
    } finally {
      logger.removeHandler(handler);
    }
  }

  @Test
  void diffReportsChangedRoutes() {
    DiscoveredDomain a1 = direct("a", Path.of("/x/a.sock"));
    DiscoveredDomain a2 =
        new DiscoveredDomain("a", Optional.empty(), new Route.Libvirt("a", Optional.empty()));
    DiscoveredDomain b = direct("b", Path.of("/x/b.sock"));
    DiscoveryDiff diff = DiscoveryDiff.between(List.of(a1, b), List.of(b, a2));
    assertThat(diff.added()).isEmpty();
    assertThat(diff.removed()).isEmpty();
    assertThat(diff.changed()).containsExactly(a2);
    assertThat(DiscoveryDiff.between(List.of(a1, b), List.of(b, a1)).isEmpty()).isTrue();
  }
}
