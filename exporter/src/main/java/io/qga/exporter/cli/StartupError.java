package io.qga.exporter.cli;

import io.qga.exporter.config.Config;
import io.qga.exporter.config.ServerConfig;
import java.net.BindException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Why the daemon could not start, in one line that names what to fix: the file or directory (and
 * its config key when it is one: {@code state_dir}, {@code server.tls.certificate}) and the reason,
 * or the listen address that is taken. The JDK's file errors carry only the path ({@code
 * AccessDeniedException: /var/lib/x}), and a bind error only "Address already in use".
 */
final class StartupError {
  private StartupError() {}

  static String describe(Throwable e, Config config) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof FileSystemException fs && fs.getFile() != null) {
        return where(Path.of(fs.getFile()), config) + ": " + reason(fs);
      }
      if (t instanceof BindException) {
        return "cannot listen on server.listen " + config.server().listen() + ": " + t.getMessage();
      }
    }
    return String.valueOf(e.getMessage());
  }

  /** The path, with the config key it belongs to. */
  private static String where(Path file, Config config) {
    Path abs = file.toAbsolutePath();
    if (config.stateDir() != null && abs.startsWith(config.stateDir().toAbsolutePath())) {
      return abs.equals(config.stateDir().toAbsolutePath())
          ? "state_dir " + file
          : "state_dir " + config.stateDir() + ": " + file;
    }
    if (config.server().tls().isPresent()) {
      ServerConfig.Tls tls = config.server().tls().get();
      if (abs.equals(tls.certificate().toAbsolutePath())) {
        return "server.tls.certificate " + file;
      }
      if (abs.equals(tls.key().toAbsolutePath())) {
        return "server.tls.key " + file;
      }
    }
    return file.toString();
  }

  private static String reason(FileSystemException fs) {
    if (fs.getReason() != null) {
      return fs.getReason();
    }
    if (fs instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (fs instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (fs instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (fs instanceof FileAlreadyExistsException) {
      return "already exists (and is not a directory)";
    }
    return fs.getClass().getSimpleName();
  }
}
