package io.qga.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Error replies are sorted by their wording, as real agents of each version phrase them. */
class AgentErrorExceptionTest {

  @Test
  void aCommandDisabledWhileFrozenIsNotUnsupported() {
    // qemu-ga 7.2 while frozen (the reason string is in its binary)
    AgentErrorException e =
        AgentErrorException.of(
            "guest-get-fsinfo",
            "CommandNotFound",
            "Command guest-get-fsinfo has been disabled: the agent is in frozen state");
    assertThat(e).isInstanceOf(AgentFrozenException.class);
    assertThat(e).isNotInstanceOf(AgentUnsupportedException.class);
  }

  @Test
  void aCommandBlockedForGoodStaysUnsupported() {
    // qemu-ga 7.2 with -b: the same words without the reason
    assertThat(
            AgentErrorException.of(
                "guest-exec", "CommandNotFound", "Command guest-exec has been disabled"))
        .isInstanceOf(AgentUnsupportedException.class)
        .isNotInstanceOf(AgentFrozenException.class);
    assertThat(
            AgentErrorException.of(
                "guest-exec",
                "GenericError",
                "The command guest-exec has been disabled for this instance"))
        .isInstanceOf(AgentUnsupportedException.class);
  }
}
