package io.qga.exporter.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qga.client.AgentCommand;
import io.qga.client.AgentConnectionException;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecordingChannelTest {
  private final FakeChannel agent = new FakeChannel("vm", Set.of("guest-get-osinfo", "guest-fstrim"));
  private final RecordingChannel channel = new RecordingChannel(agent);

  @Test
  void keepsTheLastReplyOfReadCommands() {
    channel.execute(AgentCommand.of("guest-get-osinfo"), null);
    channel.execute(AgentCommand.of("guest-get-osinfo"), null);
    assertThat(channel.lastReply("guest-get-osinfo").orElseThrow().path("value").asInt())
        .isEqualTo(2);
    channel.execute(AgentCommand.of("guest-info"), null);
    assertThat(channel.lastReply("guest-info").orElseThrow().path("version").asText())
        .isEqualTo("7.2.22");
  }

  @Test
  void doesNotKeepActionsOrFailures() {
    channel.execute(AgentCommand.of("guest-fstrim"), null);
    assertThat(channel.lastReply("guest-fstrim")).isEmpty();

    agent.mode = FakeChannel.Mode.DEAD;
    assertThatThrownBy(() -> channel.execute(AgentCommand.of("guest-get-osinfo"), null))
        .isInstanceOf(AgentConnectionException.class);
    assertThat(channel.lastReply("guest-get-osinfo")).isEmpty();
  }

  @Test
  void aCallerCannotChangeTheKeptReply() {
    channel.execute(AgentCommand.of("guest-info"), null);
    ((com.fasterxml.jackson.databind.node.ObjectNode) channel.lastReply("guest-info").orElseThrow())
        .put("version", "changed");
    assertThat(channel.lastReply("guest-info").orElseThrow().path("version").asText())
        .isEqualTo("7.2.22");
  }
}
