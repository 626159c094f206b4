package io.qga.collectors;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VcpusCollectorTest {
  private final VcpusCollector collector = new VcpusCollector();

  @Test
  void linux() {
    assertThat(Texts.poll(collector, "linux-7.2"))
        .isEqualTo(
            """
            # HELP qga_vcpus Guest logical CPUs by state (online or offline).
            # TYPE qga_vcpus gauge
            qga_vcpus{domain="vm",state="offline"} 0.0
            qga_vcpus{domain="vm",state="online"} 2.0
            """);
  }

  @Test
  void windows() {
    assertThat(Texts.poll(collector, "windows"))
        .isEqualTo(
            """
            # HELP qga_vcpus Guest logical CPUs by state (online or offline).
            # TYPE qga_vcpus gauge
            qga_vcpus{domain="vm",state="offline"} 0.0
            qga_vcpus{domain="vm",state="online"} 4.0
            """);
  }

  @Test
  void qemu25WithAnOfflineCpu() {
    assertThat(Texts.poll(collector, "qemu-2.5"))
        .isEqualTo(
            """
            # HELP qga_vcpus Guest logical CPUs by state (online or offline).
            # TYPE qga_vcpus gauge
            qga_vcpus{domain="vm",state="offline"} 1.0
            qga_vcpus{domain="vm",state="online"} 1.0
            """);
  }
}
