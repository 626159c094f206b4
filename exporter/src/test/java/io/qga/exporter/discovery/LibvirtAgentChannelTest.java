package io.qga.exporter.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qga.client.AgentChannel;
import io.qga.client.AgentCommand;
import io.qga.client.AgentConnectionException;
import io.qga.client.AgentErrorException;
import io.qga.client.AgentProtocolException;
import io.qga.client.AgentTimeoutException;
import io.qga.client.AgentUnsupportedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LibvirtAgentChannelTest {
  /** A scripted libvirt: answers from a function, records calls. */
  static final class FakeLibvirt implements LibvirtBackend {
    interface Answer {
      String answer(String json, int timeout) throws LibvirtFailure;
    }

    final List<String> calls = new ArrayList<>();
    volatile Answer answer = (json, timeout) -> "{\"return\":{}}";
    volatile boolean closed;

    @Override
    public synchronized String qemuAgentCommand(
        String domain, Optional<String> uuid, String json, int timeout) throws LibvirtFailure {
      calls.add(domain + uuid.map(u -> "/" + u).orElse("") + " " + json + " " + timeout);
      return answer.answer(json, timeout);
    }

    @Override
    public synchronized void rebootThroughAgent(String domain, Optional<String> uuid) {
      calls.add(domain + " reboot");
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private final FakeLibvirt fake = new FakeLibvirt();
  private final AtomicInteger opens = new AtomicInteger();
  private final LibvirtConnection connection =
      new LibvirtConnection(
          "test:///fake",
          uri -> {
            opens.incrementAndGet();
            return fake;
          },
          System::nanoTime);
  private ExecutorService pool;

  @AfterEach
  void stop() throws Exception {
    if (pool != null) {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
    connection.close();
  }

  @Test
  void sendsTheCommandAndReturnsItsReturnValue() {
    fake.answer =
        (json, timeout) -> "{\"return\":{\"version\":\"7.2.0\",\"supported_commands\":[]}}";
    AgentChannel ch = connection.channelFor("vm", Optional.of("uuid-1"));
    assertThat(
            ch.execute(AgentCommand.of("guest-info"), Duration.ofMillis(2500))
                .get("version")
                .asText())
        .isEqualTo("7.2.0");
    assertThat(fake.calls).containsExactly("vm/uuid-1 {\"execute\":\"guest-info\"} 3");
    assertThat(ch.describe()).isEqualTo("libvirt:vm");
  }

  @Test
  void argumentsAreSentAndTimeoutIsAtLeastOneSecond() {
    AgentCommand cmd = AgentCommand.of("guest-fstrim", AgentCommand.args().put("minimum", 4096));
    connection.channelFor("vm").execute(cmd, Duration.ofMillis(10));
    assertThat(fake.calls)
        .containsExactly("vm {\"execute\":\"guest-fstrim\",\"arguments\":{\"minimum\":4096}} 1");
    assertThat(LibvirtAgentChannel.timeoutSeconds(Duration.ofMillis(1001))).isEqualTo(2);
    assertThat(LibvirtAgentChannel.timeoutSeconds(Duration.ofSeconds(5))).isEqualTo(5);
    assertThat(LibvirtAgentChannel.timeoutSeconds(Duration.ZERO)).isEqualTo(1);
  }

  @Test
  void defaultDeadlineWhenNoneGiven() {
    connection.channelFor("vm").execute(AgentCommand.of("guest-fstrim"), null);
    assertThat(fake.calls).containsExactly("vm {\"execute\":\"guest-fstrim\"} 600");
  }

  @Test
  void libvirtErrorsAreMapped() {
    fake.answer =
        (json, timeout) -> {
          throw new LibvirtFailure(
              "VIR_ERR_INTERNAL_ERROR",
              "internal error: unable to execute QEMU agent command 'guest-get-load': The command"
                  + " guest-get-load has not been found");
        };
    assertThatThrownBy(
            () ->
                connection
                    .channelFor("vm")
                    .execute(AgentCommand.of("guest-get-load"), Duration.ofSeconds(1)))
        .isInstanceOf(AgentUnsupportedException.class);
    fake.answer =
        (json, timeout) -> {
          throw new LibvirtFailure(
              "", "Guest agent is not responding: Guest agent not available for now");
        };
    assertThatThrownBy(
            () ->
                connection
                    .channelFor("vm")
                    .execute(AgentCommand.of("guest-ping"), Duration.ofSeconds(1)))
        .isInstanceOf(AgentTimeoutException.class);
  }

  @Test
  void repliesAreBoundedAndChecked() {
    fake.answer = (json, timeout) -> "{\"return\":" + "[".repeat(100) + "]".repeat(100) + "}";
    assertThatThrownBy(
            () ->
                connection
                    .channelFor("vm")
                    .execute(AgentCommand.of("guest-info"), Duration.ofSeconds(1)))
        .isInstanceOf(AgentProtocolException.class);
    fake.answer = (json, timeout) -> "{\"return\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}";
    assertThatThrownBy(
            () ->
                connection
                    .channelFor("vm")
                    .execute(AgentCommand.of("guest-info"), Duration.ofSeconds(1)))
        .isInstanceOf(AgentProtocolException.class);
    fake.answer = (json, timeout) -> "not json";
    assertThatThrownBy(
            () ->
                connection
                    .channelFor("vm")
                    .execute(AgentCommand.of("guest-info"), Duration.ofSeconds(1)))
        .isInstanceOf(AgentProtocolException.class);
    fake.answer = (json, timeout) -> "{\"error\":{\"class\":\"GenericError\",\"desc\":\"boom\"}}";
    assertThatThrownBy(
            () ->
                connection
                    .channelFor("vm")
                    .execute(AgentCommand.of("guest-info"), Duration.ofSeconds(1)))
        .isInstanceOfSatisfying(
            AgentErrorException.class, e -> assertThat(e.description()).isEqualTo("boom"));
  }

  @Test
  void shutdownWithoutReplyIsSuccessAndRebootGoesThroughVirDomainReboot() {
    fake.answer =
        (json, timeout) -> {
          throw new LibvirtFailure(
              "", "Guest agent is not responding: Guest agent not available for now");
        };
    AgentChannel ch = connection.channelFor("vm");
    assertThat(ch.execute(AgentCommand.of("guest-shutdown"), Duration.ofMinutes(10)).isEmpty())
        .isTrue();
    assertThat(fake.calls).containsExactly("vm {\"execute\":\"guest-shutdown\"} 5");
    fake.answer =
        (json, timeout) -> {
          throw new LibvirtFailure("", "Guest agent disappeared while executing command");
        };
    assertThat(
            ch.execute(
                    AgentCommand.of("guest-shutdown", AgentCommand.args().put("mode", "halt")),
                    null)
                .isEmpty())
        .isTrue();
    fake.answer =
        (json, timeout) -> {
          throw new LibvirtFailure(
              "VIR_ERR_INTERNAL_ERROR",
              "internal error: unable to execute QEMU agent command 'guest-shutdown': Command"
                  + " guest-shutdown has been disabled");
        };
    assertThatThrownBy(() -> ch.execute(AgentCommand.of("guest-shutdown"), null))
        .isInstanceOf(AgentUnsupportedException.class);
    fake.calls.clear();
    assertThat(
            ch.execute(
                    AgentCommand.of("guest-shutdown", AgentCommand.args().put("mode", "reboot")),
                    null)
                .isEmpty())
        .isTrue();
    assertThat(fake.calls).containsExactly("vm reboot");
  }

  @Test
  void oneCommandInFlightPerDomainButDomainsAreIndependent() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    LibvirtBackend blocking =
        new LibvirtBackend() {
          @Override
          public String qemuAgentCommand(
              String domain, Optional<String> uuid, String json, int timeout) {
            if (domain.equals("slow")) {
              entered.countDown();
              try {
                release.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return "{\"return\":{}}";
          }

          @Override
          public void rebootThroughAgent(String domain, Optional<String> uuid) {}

          @Override
          public void close() {}
        };
    try (LibvirtConnection c = new LibvirtConnection("x", uri -> blocking, System::nanoTime)) {
      AgentChannel slow = c.channelFor("slow");
      pool = Executors.newSingleThreadExecutor();
      Future<?> first =
          pool.submit(() -> slow.execute(AgentCommand.of("guest-ping"), Duration.ofSeconds(10)));
      assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
      assertThatThrownBy(() -> slow.execute(AgentCommand.of("guest-ping"), Duration.ofMillis(200)))
          .isInstanceOf(AgentTimeoutException.class)
          .hasMessageContaining("busy");
      long start = System.nanoTime();
      assertThat(c.channelFor("fast").execute(AgentCommand.of("guest-ping"), Duration.ofSeconds(1)))
          .isNotNull();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
      release.countDown();
      first.get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void sameDomainSameChannel() {
    assertThat(connection.channelFor("vm")).isSameAs(connection.channelFor("vm", Optional.empty()));
    assertThat(connection.channelFor(new Route.Libvirt("vm", Optional.of("u"), true)))
        .isSameAs(connection.channelFor("vm", Optional.of("u")))
        .isNotSameAs(connection.channelFor("vm"));
    AgentChannel before = connection.channelFor("vm");
    connection.forget("vm", Optional.empty());
    assertThat(connection.channelFor("vm")).isNotSameAs(before);
  }

  @Test
  void brokenConnectionIsReopenedOnNextUse() {
    fake.answer =
        (json, timeout) -> {
          throw new LibvirtFailure(
              "VIR_ERR_SYSTEM_ERROR", "End of file while reading data: Input/output error");
        };
    AgentChannel ch = connection.channelFor("vm");
    assertThatThrownBy(() -> ch.execute(AgentCommand.of("guest-ping"), Duration.ofSeconds(1)))
        .isInstanceOf(AgentConnectionException.class);
    assertThat(fake.closed).isTrue();
    fake.answer = (json, timeout) -> "{\"return\":{}}";
    ch.execute(AgentCommand.of("guest-ping"), Duration.ofSeconds(1));
    assertThat(opens).hasValue(2);
  }
}
