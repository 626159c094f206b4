package io.qga.client.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.AgentCommand;
import io.qga.client.AgentProtocolException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReplyCodecTest {

  private static Reply parse(String line) {
    return ReplyCodec.parse(line.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void returnValue() {
    Reply r = parse("{\"return\": {\"host-name\": \"web-1\"}}");
    assertThat(r).isInstanceOf(Reply.Return.class);
    assertThat(((Reply.Return) r).value().get("host-name").asText()).isEqualTo("web-1");
  }

  @Test
  void errorReply() {
    Reply r =
        parse(
            "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command x has not been"
                + " found\"}}");
    assertThat(r).isEqualTo(new Reply.Error("CommandNotFound", "The command x has not been found"));
  }

  @Test
  void errorWithoutMembersGetsEmptyStrings() {
    assertThat(parse("{\"error\": {}}")).isEqualTo(new Reply.Error("", ""));
  }

  @Test
  void longErrorTextIsCut() {
    Reply.Error e =
        (Reply.Error)
            parse("{\"error\": {\"class\": \"G\", \"desc\": \"" + "x".repeat(5000) + "\"}}");
    assertThat(e.description()).hasSize(ReplyCodec.MAX_ERROR_TEXT + 3);
  }

  @Test
  void syncMatchIsExact() {
    Reply.Return r = (Reply.Return) parse("{\"return\": 1234567890123}");
    assertThat(r.isSync(1234567890123L)).isTrue();
    assertThat(r.isSync(1234567890124L)).isFalse();
    assertThat(((Reply.Return) parse("{\"return\": 1234567890123.0}")).isSync(1234567890123L))
        .isFalse();
    assertThat(((Reply.Return) parse("{\"return\": \"1234567890123\"}")).isSync(1234567890123L))
        .isFalse();
    assertThat(((Reply.Return) parse("{\"return\": {}}")).isSync(0)).isFalse();
  }

  @Test
  void notAnObjectIsAProtocolError() {
    assertThatThrownBy(() -> parse("[1, 2]"))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> parse("42")).isInstanceOf(AgentProtocolException.class);
  }

  @Test
  void objectWithoutReturnOrErrorIsAProtocolError() {
    assertThatThrownBy(() -> parse("{\"event\": \"X\"}"))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("neither");
  }

  @Test
  void truncatedJsonIsAProtocolError() {
    assertThatThrownBy(() -> parse("{\"return\": {\"a\": 1"))
        .isInstanceOf(AgentProtocolException.class);
  }

  @Test
  void deepNestingIsAProtocolError() {
    String deep = "[".repeat(1000) + "]".repeat(1000);
    assertThatThrownBy(() -> parse("{\"return\": " + deep + "}"))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("nesting depth");
  }

  @Test
  void nestingWithinTheBoundPasses() {
    String ok = "[".repeat(20) + "]".repeat(20);
    assertThat(parse("{\"return\": " + ok + "}")).isInstanceOf(Reply.Return.class);
  }

  @Test
  void overlongNumberIsAProtocolError() {
    assertThatThrownBy(() -> parse("{\"return\": " + "9".repeat(200) + "}"))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("Number value length");
  }

  @Test
  void infiniteNumberIsAProtocolError() {
    assertThatThrownBy(() -> parse("{\"return\": {\"load1m\": 1e400}}"))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("out of range");
  }

  @Test
  void overlongNameIsAProtocolError() {
    assertThatThrownBy(() -> parse("{\"return\": {\"" + "k".repeat(1000) + "\": 1}}"))
        .isInstanceOf(AgentProtocolException.class);
  }

  @Test
  void oversizeLineIsAProtocolError() {
    byte[] big = new byte[ReplyCodec.MAX_REPLY_BYTES + 1];
    assertThatThrownBy(() -> ReplyCodec.parse(big))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("exceeds the limit");
  }

  @Test
  void invalidUtf8IsAProtocolError() {
    byte[] line = "{\"return\": \"a?b\"}".getBytes(StandardCharsets.US_ASCII);
    line[13] = (byte) 0xC3;
    line[14] = (byte) 0x28;
    assertThatThrownBy(() -> ReplyCodec.parse(line))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("UTF-8");
  }

  @Test
  void escapedNonAsciiIsDecoded() {
    Reply.Return r = (Reply.Return) parse("{\"return\": {\"user\": \"J\\u00fcrgen\"}}");
    assertThat(r.value().get("user").asText()).isEqualTo("Jürgen");
  }

  @Test
  void encodeHasNoIdAndEndsWithNewline() {
    ObjectNode args = AgentCommand.args().put("minimum", 0);
    String s =
        new String(
            ReplyCodec.encode(AgentCommand.of("guest-fstrim", args)), StandardCharsets.UTF_8);
    assertThat(s).isEqualTo("{\"execute\":\"guest-fstrim\",\"arguments\":{\"minimum\":0}}\n");
    assertThat(new String(ReplyCodec.encode(AgentCommand.of("guest-ping")), StandardCharsets.UTF_8))
        .isEqualTo("{\"execute\":\"guest-ping\"}\n");
  }

  @Test
  void syncRequestStartsWithTheSentinel() {
    byte[] b = ReplyCodec.syncRequest(42);
    assertThat(b[0]).isEqualTo((byte) 0xFF);
    assertThat(new String(b, 1, b.length - 1, StandardCharsets.UTF_8))
        .isEqualTo("{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":42}}\n");
  }
}
