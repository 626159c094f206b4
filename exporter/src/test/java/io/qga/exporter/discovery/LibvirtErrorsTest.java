package io.qga.exporter.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.client.AgentConnectionException;
import io.qga.client.AgentErrorException;
import io.qga.client.AgentException;
import io.qga.client.AgentTimeoutException;
import io.qga.client.AgentUnsupportedException;
import org.junit.jupiter.api.Test;

/** Messages as libvirt 9.0 words them (src/qemu/qemu_agent.c, qemu_domain.c, remote driver). */
class LibvirtErrorsTest {
  private static AgentException map(String code, String message) {
    return LibvirtErrors.map("guest-get-load", "libvirt:vm", new LibvirtFailure(code, message));
  }

  @Test
  void unknownAndDisabledCommandsAreUnsupported() {
    assertThat(
            map(
                "VIR_ERR_INTERNAL_ERROR",
                "internal error: unable to execute QEMU agent command 'guest-get-load': The command"
                    + " guest-get-load has not been found"))
        .isInstanceOfSatisfying(
            AgentUnsupportedException.class,
            e -> {
              assertThat(e.command()).isEqualTo("guest-get-load");
              assertThat(e.errorClass()).isEqualTo("CommandNotFound");
              assertThat(e.description())
                  .isEqualTo("The command guest-get-load has not been found");
            });
    assertThat(
            map(
                "VIR_ERR_INTERNAL_ERROR",
                "internal error: unable to execute QEMU agent command 'guest-exec': Command"
                    + " guest-exec has been disabled"))
        .isInstanceOf(AgentUnsupportedException.class);
    assertThat(
            map(
                "VIR_ERR_INTERNAL_ERROR",
                "internal error: unable to execute QEMU agent command 'guest-get-load': this"
                    + " feature or command is not currently supported"))
        .isInstanceOf(AgentUnsupportedException.class);
  }

  @Test
  void otherAgentErrorsKeepTheDescription() {
    AgentException e =
        map(
            "VIR_ERR_INTERNAL_ERROR",
            "internal error: unable to execute QEMU agent command 'guest-fstrim': failed to trim /:"
                + " Operation not supported");
    assertThat(e).isExactlyInstanceOf(AgentErrorException.class);
    assertThat(((AgentErrorException) e).errorClass()).isEqualTo("GenericError");
    assertThat(((AgentErrorException) e).description())
        .isEqualTo("failed to trim /: Operation not supported");
  }

  @Test
  void notRespondingIsATimeout() {
    assertThat(map("", "Guest agent is not responding: Guest agent not available for now"))
        .isInstanceOf(AgentTimeoutException.class)
        .hasMessageContaining("libvirt:vm")
        .hasMessageContaining("not responding");
    assertThat(map("VIR_ERR_OPERATION_TIMEOUT", "operation timed out"))
        .isInstanceOf(AgentTimeoutException.class);
  }

  @Test
  void notConnectedOrNotRunningIsAConnectionFailure() {
    assertThat(map("", "Guest agent is not responding: QEMU guest agent is not connected"))
        .as(
            "libvirt reports a guest without a running agent as unresponsive: the agent is not"
                + " responding")
        .isInstanceOf(AgentTimeoutException.class);
    assertThat(
            map(
                "VIR_ERR_OPERATION_INVALID",
                "Requested operation is not valid: domain is not running"))
        .isInstanceOf(AgentConnectionException.class);
    assertThat(
            map(
                "VIR_ERR_ARGUMENT_UNSUPPORTED",
                "argument unsupported: QEMU guest agent is not configured"))
        .isInstanceOf(AgentConnectionException.class);
    assertThat(map("VIR_ERR_NO_DOMAIN", "Domain not found: no domain with matching name 'vm'"))
        .isInstanceOf(AgentConnectionException.class);
    assertThat(map("", "Guest agent disappeared while executing command"))
        .isInstanceOf(AgentConnectionException.class);
    assertThat(
            map(
                "VIR_ERR_NO_SUPPORT",
                "this function is not supported by the connection driver:"
                    + " virDomainQemuAgentCommand"))
        .isInstanceOf(AgentConnectionException.class);
  }

  @Test
  void brokenConnections() {
    assertThat(
            LibvirtErrors.connectionBroken(
                new LibvirtFailure(
                    "VIR_ERR_SYSTEM_ERROR", "End of file while reading data: Input/output error")))
        .isTrue();
    assertThat(
            LibvirtErrors.connectionBroken(
                new LibvirtFailure(
                    "VIR_ERR_INTERNAL_ERROR", "internal error: client socket is closed")))
        .isTrue();
    assertThat(LibvirtErrors.connectionBroken(new LibvirtFailure("VIR_ERR_RPC", "anything")))
        .isTrue();
    assertThat(
            LibvirtErrors.connectionBroken(
                new LibvirtFailure("VIR_ERR_NO_DOMAIN", "Domain not found")))
        .isFalse();
    assertThat(map("VIR_ERR_SYSTEM_ERROR", "Cannot recv data: Connection reset by peer"))
        .isInstanceOf(AgentConnectionException.class);
  }

  @Test
  void unknownErrorsKeepLibvirtsCodeAndBoundedText() {
    AgentException e = map("VIR_ERR_OPERATION_FAILED", "operation failed: " + "x".repeat(5000));
    assertThat(e).isExactlyInstanceOf(AgentErrorException.class);
    assertThat(((AgentErrorException) e).errorClass()).isEqualTo("VIR_ERR_OPERATION_FAILED");
    assertThat(((AgentErrorException) e).description()).hasSizeLessThan(1100);
  }
}
