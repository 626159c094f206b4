package io.qga.exporter.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qga.client.AgentCommand;
import io.qga.client.AgentConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class LibvirtConnectionTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final AtomicInteger attempts = new AtomicInteger();

  @Test
  void failedConnectBacksOffThenRetries() {
    LibvirtConnection c =
        new LibvirtConnection(
            "qemu:///system",
            uri -> {
              attempts.incrementAndGet();
              throw new LibvirtFailure(
                  "VIR_ERR_SYSTEM_ERROR",
                  "Failed to connect socket to '/run/libvirt/libvirt-sock': No such file or"
                      + " directory");
            },
            now::get);
    assertThatThrownBy(c::backend)
        .isInstanceOf(AgentConnectionException.class)
        .hasMessageContaining("Failed to connect socket");
    assertThatThrownBy(c::backend)
        .isInstanceOf(AgentConnectionException.class)
        .hasMessageContaining("next attempt in");
    assertThat(attempts).hasValue(1);
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThatThrownBy(c::backend).hasMessageContaining("Failed to connect socket");
    assertThat(attempts).hasValue(2);
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThatThrownBy(c::backend).hasMessageContaining("next attempt in 1000 ms");
    assertThat(attempts).hasValue(2);
  }

  @Test
  void missingNativeLibraryFailsOnlyWhenUsedWithAClearMessage() {
    LibvirtConnection c =
        new LibvirtConnection(
            "qemu:///system",
            uri -> {
              throw new UnsatisfiedLinkError("Unable to load library 'virt'");
            },
            now::get);
    var channel = c.channelFor("vm"); // creating channels needs no libvirt
    assertThatThrownBy(() -> channel.execute(AgentCommand.of("guest-ping"), Duration.ofSeconds(1)))
        .isInstanceOf(AgentConnectionException.class)
        .hasMessageContaining("native libvirt library")
        .hasMessageContaining("libvirt0");
  }

  @Test
  void closedConnectionRefuses() {
    LibvirtConnection c = LibvirtConnection.open("test:///default");
    c.close();
    assertThatThrownBy(c::backend).hasMessageContaining("closed");
  }

  /** The real JNA path against libvirt's built-in test driver (no daemon, no VM). */
  @Test
  @Tag("real")
  void realLibvirtTestDriver() {
    boolean lib =
        java.nio.file.Files.exists(java.nio.file.Path.of("/usr/lib/x86_64-linux-gnu/libvirt.so.0"))
            || java.nio.file.Files.exists(java.nio.file.Path.of("/usr/lib64/libvirt.so.0"))
            || java.nio.file.Files.exists(
                java.nio.file.Path.of("/usr/lib/aarch64-linux-gnu/libvirt.so.0"));
    if (!lib) {
      if ("1".equals(System.getenv("QGA_REQUIRE_REAL"))) {
        throw new AssertionError(
            "libvirt.so.0 is missing (Debian package libvirt0) and QGA_REQUIRE_REAL=1");
      }
      Assumptions.abort(
          "libvirt.so.0 not installed (Debian package libvirt0): skipping the real libvirt test");
    }
    try (LibvirtConnection c = LibvirtConnection.open("test:///default")) {
      // the test driver has domain "test" but no agent: libvirt answers, and we map its error
      assertThatThrownBy(
              () ->
                  c.channelFor("test")
                      .execute(AgentCommand.of("guest-ping"), Duration.ofSeconds(2)))
          .isInstanceOf(AgentConnectionException.class)
          .hasMessageContaining("libvirt:test");
      assertThatThrownBy(
              () ->
                  c.channelFor("no-such-domain")
                      .execute(AgentCommand.of("guest-ping"), Duration.ofSeconds(2)))
          .isInstanceOf(AgentConnectionException.class)
          .hasMessageContaining("no-such-domain");
    }
  }
}
