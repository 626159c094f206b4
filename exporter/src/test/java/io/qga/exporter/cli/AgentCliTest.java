package io.qga.exporter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.sim.scripted.ScriptedAgent;
import io.qga.sim.testing.QemuGaProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent} through {@link Main#execute}, as the jar runs it, with stdout/stderr captured. */
class AgentCliTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream savedOut;
  private PrintStream savedErr;
  private ScriptedAgent agent;

  @BeforeEach
  void capture() throws Exception {
    savedOut = System.out;
    savedErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    agent = ScriptedAgent.start(dir.resolve("agent.sock"));
  }

  @AfterEach
  void restore() {
    System.setOut(savedOut);
    System.setErr(savedErr);
    agent.close();
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private String socket() {
    return agent.socket().toString();
  }

  @Test
  void printsTheReturnValue() {
    agent.expect("guest-get-osinfo", "{\"return\": {\"id\": \"debian\", \"version-id\": \"12\"}}");
    assertThat(Main.execute("agent", "--socket", socket(), "{\"execute\": \"guest-get-osinfo\"}"))
        .isZero();
    assertThat(out())
        .isEqualTo("{\"id\":\"debian\",\"version-id\":\"12\"}" + System.lineSeparator());
    agent.verify();
  }

  @Test
  void acceptsABareCommandNameAndPassesArguments() {
    agent.expect("guest-ping", "{\"return\": {}}");
    agent.expect("guest-fstrim", "{\"return\": {\"paths\": []}}");
    assertThat(Main.execute("agent", "--socket", socket(), "guest-ping")).isZero();
    assertThat(
            Main.execute(
                "agent",
                "--socket",
                socket(),
                "--timeout",
                "2s",
                "{\"execute\":\"guest-fstrim\",\"arguments\":{\"minimum\":4096}}"))
        .isZero();
    assertThat(out())
        .isEqualTo("{}" + System.lineSeparator() + "{\"paths\":[]}" + System.lineSeparator());
    assertThat(agent.requests().get(1).path("arguments").path("minimum").asInt()).isEqualTo(4096);
    agent.verify();
  }

  @Test
  void agentErrorExits1WithClassAndDescription() {
    assertThat(Main.execute("agent", "--socket", socket(), "guest-get-load")).isEqualTo(1);
    assertThat(err())
        .contains("CommandNotFound")
        .contains("The command guest-get-load has not been found");
    assertThat(out()).isEmpty();
  }

  @Test
  void socketThatNeverAnswersExits3WithinTimeoutPlusOneSecond() {
    agent.neverAnswer();
    long start = System.nanoTime();
    int code = Main.execute("agent", "--socket", socket(), "--timeout", "1s", "guest-ping");
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(code).isEqualTo(3);
    assertThat(ms).isBetween(900L, 2000L);
    assertThat(err()).contains("not responding");
  }

  @Test
  void millisecondTimeoutsWork() {
    agent.neverAnswer();
    long start = System.nanoTime();
    assertThat(Main.execute("agent", "--socket", socket(), "--timeout", "300ms", "guest-ping"))
        .isEqualTo(3);
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1300L);
  }

  @Test
  void missingSocketExits3() {
    assertThat(Main.execute("agent", "--socket", dir.resolve("none.sock").toString(), "guest-ping"))
        .isEqualTo(3);
    assertThat(err()).contains("cannot connect");
  }

  @Test
  void vsockWithoutPeerExits3() {
    assertThat(Main.execute("agent", "--vsock", "3:1234", "--timeout", "1s", "guest-ping"))
        .isEqualTo(3);
    assertThat(err()).contains("vsock");
  }

  @Test
  void usageErrorsExit2() {
    assertThat(Main.execute("agent", "--socket", socket(), "{\"execute\": ")).isEqualTo(2);
    assertThat(err()).contains("not valid");
    assertThat(Main.execute("agent", "--socket", socket(), "{\"arguments\": {}}")).isEqualTo(2);
    assertThat(
            Main.execute("agent", "--socket", socket(), "{\"execute\": \"guest-ping\", \"id\": 1}"))
        .isEqualTo(2);
    assertThat(
            Main.execute(
                "agent", "--socket", socket(), "{\"execute\": \"guest-ping\", \"arguments\": [1]}"))
        .isEqualTo(2);
    assertThat(Main.execute("agent", "--socket", socket(), "guest ping")).isEqualTo(2);
    assertThat(Main.execute("agent", "guest-ping")).isEqualTo(2);
    assertThat(Main.execute("agent", "--socket", socket(), "--vsock", "3:1", "guest-ping"))
        .isEqualTo(2);
    assertThat(Main.execute("agent", "--socket", socket(), "--timeout", "5 sec", "guest-ping"))
        .isEqualTo(2);
    assertThat(Main.execute("agent", "--socket", socket(), "--timeout", "0", "guest-ping"))
        .isEqualTo(2);
    assertThat(Main.execute("agent", "--vsock", "3", "guest-ping")).isEqualTo(2);
    assertThat(Main.execute("agent", "--socket", socket())).isEqualTo(2);
    assertThat(agent.connections()).isZero();
    assertThat(out()).isEmpty();
  }

  @Test
  @Tag("real")
  void realAgentPrintsThisMachinesHostName() throws Exception {
    try (QemuGaProcess qemuGa = QemuGaProcess.start(dir.resolve("real"))) {
      int code =
          Main.execute("agent", "--socket", qemuGa.socket().toString(), "guest-get-host-name");
      assertThat(code).as(err()).isZero();
      assertThat(out())
          .isEqualTo(
              "{\"host-name\":\""
                  + InetAddress.getLocalHost().getHostName()
                  + "\"}"
                  + System.lineSeparator());
    }
  }
}
