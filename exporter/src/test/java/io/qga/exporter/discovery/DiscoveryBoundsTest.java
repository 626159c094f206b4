package io.qga.exporter.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.qga.client.AgentAddress;
import io.qga.exporter.config.ConfigException;
import io.qga.exporter.config.ConfigLoader;
import io.qga.exporter.config.ConfigProblem;
import io.qga.exporter.config.DiscoveryConfig;
import io.qga.exporter.config.GlobPattern;
import io.qga.exporter.config.LibvirtConfig;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounds of discovery, with real directories and real unix sockets: a directory with more sockets
 * than a glob keeps, names with control characters, socket paths too long to connect to.
 */
class DiscoveryBoundsTest {
  @TempDir Path dir;
  private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
  private final Logger logger = Logger.getLogger(Discovery.class.getName());
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(record);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void listen() {
    logger.addHandler(capture);
  }

  @AfterEach
  void stopListening() {
    logger.removeHandler(capture);
  }

  private Discovery glob(String pattern) {
    return new Discovery(
        new DiscoveryConfig(
            Duration.ofSeconds(30),
            List.of(),
            List.of(new GlobPattern(pattern)),
            new LibvirtConfig(false, dir.resolve("libvirt"), "qemu:///system", false)));
  }

  /** A real socket file left behind: bound, then closed (the JDK does not remove the file). */
  private static void socketFile(Path path) throws Exception {
    try (ServerSocketChannel ch = Sockets.listen(path)) {
      // bound: the file is a socket now
    }
  }

  private List<String> messages() {
    return warnings.stream().map(LogRecord::getMessage).toList();
  }

  @Test
  void aHugeDirectoryKeepsTheFirstByNameLogsOncePerChangeAndCountsTheCut() throws Exception {
    Path qga = Files.createDirectories(dir.resolve("qga"));
    int total = SocketGlob.MAX_ENTRIES_PER_DIRECTORY + 5;
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      order.add(i);
    }
    // created in random order: directory order is then unrelated to names
    Collections.shuffle(order, new Random(7));
    for (int i : order) {
      socketFile(qga.resolve(String.format("vm-%05d.sock", i)));
    }
    Files.writeString(qga.resolve("notes.txt"), "not a socket, not matching");
    Discovery d = glob(qga + "/*.sock");

    List<DiscoveredDomain> found = d.refresh();

    assertThat(found).hasSize(SocketGlob.MAX_ENTRIES_PER_DIRECTORY);
    assertThat(found.get(0).name()).isEqualTo("vm-00000");
    assertThat(found.get(found.size() - 1).name())
        .isEqualTo(String.format("vm-%05d", SocketGlob.MAX_ENTRIES_PER_DIRECTORY - 1));
    assertThat(d.dropped()).containsExactlyEntriesOf(Map.of(Discovery.OVER_DIRECTORY_LIMIT, 5L));
    assertThat(messages())
        .singleElement()
        .asString()
        .contains("glob " + qga + "/*.sock", "10000", "left out 5");

    assertThat(d.refresh()).isEqualTo(found);
    assertThat(messages()).as("the same cut is not logged again").hasSize(1);

    socketFile(qga.resolve("vm-99999.sock"));
    assertThat(d.refresh()).isEqualTo(found);
    assertThat(d.dropped()).containsEntry(Discovery.OVER_DIRECTORY_LIMIT, 6L);
    assertThat(messages()).hasSize(2).last().asString().contains("left out 6");

    GaugeSnapshot metric = DiscoveryMetrics.dropped(d);
    assertThat(metric.getMetadata().getName()).isEqualTo("qga_discovery_dropped_entries");
    assertThat(metric.getDataPoints())
        .extracting(p -> p.getLabels().get("reason") + "=" + p.getValue())
        .containsExactly("over_directory_limit=6.0", "socket_path_too_long=0.0");
  }

  @Test
  void namesWithControlCharactersAreCleanedLikeGuestLabels() throws Exception {
    Path qga = Files.createDirectories(dir.resolve("qga"));
    socketFile(qga.resolve("bad\nname\u001b[31m.sock"));
    socketFile(qga.resolve("good.sock"));
    // a name that is not UTF-8 at all, made by a program that deals in bytes
    Process p =
        new ProcessBuilder(
                "/usr/bin/python3",
                "-c",
                "import os, socket, sys; os.chdir(sys.argv[1]);"
                    + " socket.socket(socket.AF_UNIX).bind(b'raw\\xc3\\x28\\xff.sock')",
                qga.toString())
            .inheritIO()
            .start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();

    List<DiscoveredDomain> found = glob(qga + "/*.sock").refresh();

    assertThat(found)
        .extracting(DiscoveredDomain::name)
        .contains("bad\uFFFDname\uFFFD[31m", "good");
    assertThat(found).hasSize(3);
    for (DiscoveredDomain d : found) {
      String name = d.name();
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        assertThat(Character.isISOControl(c)).as("control character in %s", name).isFalse();
        if (Character.isSurrogate(c)) {
          assertThat(Character.isSurrogatePair(c, name.charAt(i + 1))).isTrue();
          i++;
        }
      }
      assertThat(new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
          .isEqualTo(name);
    }
    // the route still names the real file: the domain is polled through it
    DiscoveredDomain bad = found.get(0);
    assertThat(((AgentAddress.Unix) ((Route.Direct) bad.route()).address()).path())
        .isEqualTo(qga.resolve("bad\nname\u001b[31m.sock"));
  }

  @Test
  void aGlobbedSocketPathOverTheUnixLimitIsSkippedNamedAndCounted() throws Exception {
    // 4 nested directories of 30 characters: the socket path is well over 107 bytes
    Path deep = dir;
    for (int i = 0; i < 4; i++) {
      deep = deep.resolve(("d" + i).repeat(15));
    }
    Files.createDirectories(deep);
    // bind through a relative name: the kernel refuses the long absolute path in bind too
    Process p =
        new ProcessBuilder(
                "/usr/bin/python3",
                "-c",
                "import os, socket, sys; os.chdir(sys.argv[1]);"
                    + " socket.socket(socket.AF_UNIX).bind('far-away.sock')",
                deep.toString())
            .inheritIO()
            .start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    Path far = deep.resolve("far-away.sock");
    assertThat(SocketGlob.isSocket(far)).isTrue();
    assertThat(AgentAddress.Unix.pathBytes(far)).isGreaterThan(AgentAddress.Unix.MAX_PATH_BYTES);
    Path near = Files.createDirectories(dir.resolve("q"));
    socketFile(near.resolve("near.sock"));
    Discovery d =
        new Discovery(
            new DiscoveryConfig(
                Duration.ofSeconds(30),
                List.of(),
                List.of(new GlobPattern(deep + "/*.sock"), new GlobPattern(near + "/*.sock")),
                new LibvirtConfig(false, dir.resolve("libvirt"), "qemu:///system", false)));

    assertThat(d.refresh()).extracting(DiscoveredDomain::name).containsExactly("near");
    assertThat(d.dropped()).containsExactlyEntriesOf(Map.of(Discovery.SOCKET_PATH_TOO_LONG, 1L));
    assertThat(messages())
        .singleElement()
        .asString()
        .contains(far.toString(), "bytes long", "at most 107");
    d.refresh();
    assertThat(messages()).as("logged once while it lasts").hasSize(1);
  }

  @Test
  void aStaticSocketPathOverTheUnixLimitIsAConfigProblemWithItsYamlPath() {
    String longPath = "/run/" + "x".repeat(120) + ".sock";
    String yaml =
        """
        discovery:
          static:
            - domain: web-1
              socket: /run/qga/web-1.sock
            - domain: web-2
              socket: %s
        """
            .formatted(longPath);

    assertThatThrownBy(() -> ConfigLoader.parse(yaml, dir))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(((ConfigException) e).problems())
                    .extracting(ConfigProblem::toString)
                    .singleElement()
                    .asString()
                    .startsWith(
                        "/discovery/static/1/socket: \"" + longPath + "\" is 130 bytes long")
                    .contains("at most 107 bytes"));
  }
}
