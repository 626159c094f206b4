package io.qga.exporter.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketGlobTest {
  @TempDir Path dir;
  private final List<ServerSocketChannel> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (ServerSocketChannel ch : open) {
      ch.close();
    }
  }

  private Path socket(Path path) throws Exception {
    Files.createDirectories(path.getParent());
    open.add(Sockets.listen(path));
    return path;
  }

  @Test
  void firstStarIsTheDomainAndOnlySocketsCount() throws Exception {
    Path a = socket(dir.resolve("web-1.sock"));
    Path b = socket(dir.resolve("db-1.sock"));
    Files.writeString(dir.resolve("plain-file.sock"), "not a socket");
    Files.createDirectory(dir.resolve("dir.sock"));
    socket(dir.resolve("other.socket"));
    assertThat(new SocketGlob(dir + "/*.sock").scan())
        .containsExactly(java.util.Map.entry("db-1", b), java.util.Map.entry("web-1", a));
  }

  @Test
  void starsInDirectoriesAndSeveralStars() throws Exception {
    Path a = socket(dir.resolve("vm-a/org.qemu.guest_agent.1"));
    socket(dir.resolve("vm-b/other"));
    assertThat(new SocketGlob(dir + "/vm-*/org.qemu.guest_agent.*").scan())
        .containsExactly(java.util.Map.entry("a", a));
    Path x = socket(dir.resolve("x.agent.1.sock"));
    assertThat(new SocketGlob(dir + "/*.agent.*.sock").scan())
        .containsExactly(java.util.Map.entry("x", x));
  }

  @Test
  void emptyMatchIsNoDomainAndMissingDirectoryIsNothing() throws Exception {
    socket(dir.resolve(".sock"));
    assertThat(new SocketGlob(dir + "/*.sock").scan()).isEmpty();
    assertThat(new SocketGlob(dir + "/missing/*.sock").scan()).isEmpty();
  }

  @Test
  void starNeverMatchesASlash() throws Exception {
    socket(dir.resolve("sub/a.sock"));
    assertThat(new SocketGlob(dir + "/*.sock").scan()).isEmpty();
  }

  @Test
  void patternWithoutStarIsRefused() {
    assertThatThrownBy(() -> new SocketGlob(dir + "/a.sock")).hasMessageContaining("has no *");
  }

  @Test
  void isSocket() throws Exception {
    Path s = socket(dir.resolve("s"));
    Files.writeString(dir.resolve("f"), "");
    assertThat(SocketGlob.isSocket(s)).isTrue();
    assertThat(SocketGlob.isSocket(dir.resolve("f"))).isFalse();
    assertThat(SocketGlob.isSocket(dir)).isFalse();
    assertThat(SocketGlob.isSocket(dir.resolve("missing"))).isFalse();
  }
}
