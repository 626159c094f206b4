package io.qga.exporter.discovery;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;

/** Test helper: a real listening unix socket file (closed and removed by the caller). */
final class Sockets {
  private Sockets() {}

  static ServerSocketChannel listen(Path path) throws IOException {
    ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    ch.bind(UnixDomainSocketAddress.of(path));
    return ch;
  }
}
