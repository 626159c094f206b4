package io.qga.exporter.discovery;

import io.qga.client.AgentAddress;
import io.qga.exporter.config.StaticDomain;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What the user the exporter runs as may not see or connect to: unsearchable directories on a
 * static socket's path, glob directories it may not list (counted in {@code qga_discovery_errors}),
 * and discovered sockets it may not connect to (logged: connecting to a unix socket needs write
 * permission on it, the poll then fails with "permission denied").
 */
final class SourceAccess {
  static final String STATIC = "static";
  static final String GLOB = "glob";

  private SourceAccess() {}

  private static String user() {
    return System.getProperty("user.name", "?");
  }

  /** Counts static unix sockets whose path a directory hides from this user. */
  static void statics(
      List<StaticDomain> statics, Map<String, Integer> errors, List<String> problems) {
    if (statics.isEmpty()) {
      return;
    }
    int hidden = 0;
    for (StaticDomain s : statics) {
      if (s.address() instanceof AgentAddress.Unix u && hidden(u.path())) {
        hidden++;
        problems.add(
            "cannot see the socket "
                + u.path()
                + " of static domain "
                + s.domain()
                + " as user "
                + user()
                + ": a directory on its path is not searchable. Fix: give the user search (x)"
                + " permission on each directory, e.g. through its group; see "
                + LibvirtSource.DOCS);
      }
    }
    errors.put(STATIC, hidden);
  }

  /** A callback for {@link SocketGlob#scan(Consumer)} that counts and explains each directory. */
  static Consumer<Path> globDirectory(
      SocketGlob glob, Map<String, Integer> errors, List<String> problems) {
    errors.putIfAbsent(GLOB, 0);
    return dir -> {
      errors.merge(GLOB, 1, Integer::sum);
      problems.add(
          "cannot list "
              + dir
              + " (discovery.globs "
              + glob
              + ") as user "
              + user()
              + ": permission denied; its sockets are missing. Fix: give the user read and search"
              + " (r-x) permission on it, e.g. through its group; see "
              + LibvirtSource.DOCS);
    };
  }

  /** Warns (key, message) when this user may not connect to the domain's unix socket. */
  static void connectable(DiscoveredDomain d, BiConsumer<String, String> warn) {
    if (!(d.route() instanceof Route.Direct direct)
        || !(direct.address() instanceof AgentAddress.Unix u)) {
      return;
    }
    Path socket = u.path();
    PosixFileAttributes a;
    try {
      a = Files.readAttributes(socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (AccessDeniedException e) {
      warn.accept(
          "hidden:" + socket,
          "domain "
              + d.name()
              + ": user "
              + user()
              + " cannot reach its agent socket "
              + socket
              + ": a directory on the path is not searchable. Fix: see "
              + LibvirtSource.DOCS);
      return;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return; // not there (yet): the poll reports it
    }
    if (Files.isWritable(socket)) {
      return;
    }
    String who =
        a.owner().getName()
            + ":"
            + a.group().getName()
            + " "
            + PosixFilePermissions.toString(a.permissions());
    warn.accept(
        "unwritable:" + socket + ":" + who,
        "domain "
            + d.name()
            + ": user "
            + user()
            + " may not connect to its agent socket "
            + socket
            + " ("
            + who
            + "; connecting needs write permission). Fix: add the user to group "
            + a.group().getName()
            + " if that group may write the socket, or have the socket created with group write;"
            + " see "
            + LibvirtSource.DOCS);
  }

  private static boolean hidden(Path socket) {
    try {
      Files.readAttributes(socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return false;
    } catch (AccessDeniedException e) {
      return true;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }
}
