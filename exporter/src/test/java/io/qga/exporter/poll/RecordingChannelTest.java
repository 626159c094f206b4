package io.qga.exporter.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
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
  void keepsOnlyWhatTheApiAndPoliciesServe() {
    FakeChannel both = new FakeChannel("vm", Set.of("guest-get-vcpus", "guest-get-fsinfo"));
    RecordingChannel recording = new RecordingChannel(both);
    recording.execute(AgentCommand.of("guest-get-vcpus"), null);
    recording.execute(AgentCommand.of("guest-get-fsinfo"), null);
    assertThat(recording.lastReply("guest-get-vcpus")).isEmpty();
    assertThat(recording.lastReply("guest-get-fsinfo")).isPresent();
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
  void doesNotKeepARepliesTooLargeToHoldPerDomain() {
    com.fasterxml.jackson.databind.node.ArrayNode huge = FakeChannel.JSON.arrayNode();
    for (int i = 0; i < 20_000; i++) {
      huge.addObject().put("name", "eth" + i).put("hardware-address", "52:54:00:12:34:56");
    }
    com.fasterxml.jackson.databind.node.ArrayNode small = FakeChannel.JSON.arrayNode();
    small.addObject().put("name", "eth0");
    java.util.concurrent.atomic.AtomicReference<JsonNode> next = new java.util.concurrent.atomic.AtomicReference<>(small);
    RecordingChannel recording =
        new RecordingChannel(
            new io.qga.client.AgentChannel() {
              @Override
              public JsonNode execute(AgentCommand command, java.time.Duration deadline) {
                return next.get();
              }

              @Override
              public String describe() {
                return "fake";
              }

              @Override
              public void close() {}
            });
    recording.execute(AgentCommand.of("guest-network-get-interfaces"), null);
    assertThat(recording.lastReply("guest-network-get-interfaces")).contains(small);

    next.set(huge);
    assertThat(recording.execute(AgentCommand.of("guest-network-get-interfaces"), null))
        .isSameAs(huge); // the caller still gets it
    assertThat(recording.lastReply("guest-network-get-interfaces")).isEmpty();
    assertThat(RecordingChannel.withinBudget(huge, RecordingChannel.MAX_RECORDED_BYTES)).isFalse();
    assertThat(RecordingChannel.withinBudget(small, RecordingChannel.MAX_RECORDED_BYTES)).isTrue();
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
