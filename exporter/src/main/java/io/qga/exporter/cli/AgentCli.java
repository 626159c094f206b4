package io.qga.exporter.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qga.client.AgentAddress;
import io.qga.client.AgentCommand;
import io.qga.client.AgentErrorException;
import io.qga.client.AgentException;
import io.qga.client.protocol.AgentSession;
import io.qga.exporter.config.Durations;
import io.qga.exporter.runtime.LogLineFormatter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code agent --socket PATH [--timeout 5s] JSON}: one command on one agent channel, like {@code
 * virsh qemu-agent-command}, synced first. Prints the reply's {@code return} as JSON. Exit codes
 * (CONTRACT.md): 0 return, 1 agent error, 2 usage, 3 timeout or agent not responding. {@code agent
 * --domain NAME} sends it through the running daemon instead ({@link DaemonCall}): same codes, plus
 * 4 when the exporter cannot be reached or refuses.
 */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Sends one command to a guest agent channel (synced first) and prints the reply's"
          + " \"return\" value as JSON.",
      "JSON is a full {\"execute\": ..., \"arguments\": {...}} object, as for virsh"
          + " qemu-agent-command, or just a command name, e.g. guest-get-osinfo."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the agent returned a value",
      "1:the agent answered with an error (class and description on stderr)",
      "2:usage error (options, JSON, duration)",
      "3:timeout, agent not responding or channel unreachable",
      "4:--domain only: the exporter cannot be reached, refused the token or role, does not know"
          + " the domain or does not allow the command"
    })
final class AgentCli implements Callable<Integer> {
  static final int EXIT_OK = 0;
  static final int EXIT_AGENT_ERROR = 1;
  static final int EXIT_USAGE = Main.EXIT_USAGE;
  static final int EXIT_NOT_RESPONDING = 3;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Channel channel;

  static final class Channel {
    @Option(names = "--socket", paramLabel = "PATH", description = "unix socket of the channel")
    Path socket;

    @Option(
        names = "--vsock",
        paramLabel = "CID:PORT",
        converter = VsockConverter.class,
        description = "vsock address of the agent, e.g. 3:1234")
    AgentAddress.Vsock vsock;

    @Option(
        names = "--domain",
        paramLabel = "NAME",
        description =
            "a domain of the running exporter: the command goes through its control API"
                + " (use this while the daemon runs: a channel serves one client at a time)")
    String domain;
  }

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "with --domain: the exporter (default http://127.0.0.1:9920)")
  String url;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "with --domain: file holding an API token (else $QGA_EXPORTER_TOKEN)")
  Path tokenFile;

  @Option(
      names = "--ca-file",
      paramLabel = "FILE",
      description = "with --domain and an https URL: PEM CA certificate(s) to trust")
  Path caFile;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description =
          "total time for connect, sync and reply (500ms, 5s, 2m; default ${DEFAULT-VALUE});"
              + " with --domain the wait for the exporter's answer (default 60s)")
  Duration timeout;

  @Option(names = "--pretty", description = "indent the JSON output")
  boolean pretty;

  @Parameters(index = "0", paramLabel = "JSON", description = "the command")
  String request;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    AgentCommand command;
    try {
      command = parseCommand(request);
    } catch (IllegalArgumentException e) {
      err.println("agent: " + e.getMessage());
      err.flush();
      return EXIT_USAGE;
    }
    if (channel.domain != null) {
      return throughDaemon(command, out, err);
    }
    if (url != null || tokenFile != null || caFile != null) {
      err.println("agent: --url, --token-file and --ca-file go with --domain");
      err.flush();
      return EXIT_USAGE;
    }
    AgentAddress address =
        channel.socket != null ? AgentAddress.unix(channel.socket) : channel.vsock;
    AgentSession.Options options =
        AgentSession.Options.defaults()
            .withConnectTimeout(min(timeout, Duration.ofSeconds(3)))
            .withSyncTimeout(timeout);
    try (AgentSession session = new AgentSession(address, options)) {
      JsonNode value = session.execute(command, timeout);
      out.println(
          pretty
              ? JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value)
              : JSON.writeValueAsString(value));
      out.flush();
      return EXIT_OK;
    } catch (AgentErrorException e) {
      // the guest wrote both: no terminal escapes or forged lines on the operator's screen
      err.println(LogLineFormatter.escape(e.errorClass() + ": " + e.description()));
      err.flush();
      return EXIT_AGENT_ERROR;
    } catch (AgentException e) {
      err.println("agent: " + LogLineFormatter.escape(e.getMessage()));
      err.flush();
      return EXIT_NOT_RESPONDING;
    } catch (JsonProcessingException e) {
      err.println("agent: cannot print the reply: " + e.getMessage());
      err.flush();
      return EXIT_NOT_RESPONDING;
    }
  }

  private int throughDaemon(AgentCommand command, PrintWriter out, PrintWriter err) {
    boolean timeoutGiven = spec.commandLine().getParseResult().hasMatchedOption("--timeout");
    DaemonCall call;
    try {
      call =
          DaemonCall.open(
              url == null ? "http://127.0.0.1:9920" : url,
              tokenFile,
              System.getenv(DaemonCall.TOKEN_ENV),
              caFile,
              timeoutGiven ? timeout : Duration.ofSeconds(60));
    } catch (DaemonCall.UsageException e) {
      err.println("agent: " + e.getMessage());
      err.flush();
      return EXIT_USAGE;
    }
    return call.run(channel.domain, command, pretty, out, err);
  }

  /**
   * A full request object or a bare command name.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static AgentCommand parseCommand(String text) {
    String s = text == null ? "" : text.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException(
          "JSON is empty: give {\"execute\": NAME} or a command name");
    }
    if (!s.startsWith("{")) {
      if (!s.matches("[A-Za-z0-9_-]+")) {
        throw new IllegalArgumentException(
            "\"" + s + "\" is neither a JSON object nor a command name");
      }
      return AgentCommand.of(s);
    }
    JsonNode root;
    try {
      root = JSON.readTree(s);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "JSON is not valid: " + e.getOriginalMessage() + " (" + s + ")");
    }
    JsonNode execute = root.get("execute");
    if (execute == null || !execute.isTextual() || execute.asText().isBlank()) {
      throw new IllegalArgumentException("JSON needs \"execute\": a command name string");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!field.equals("execute") && !field.equals("arguments")) {
        throw new IllegalArgumentException(
            "JSON member \""
                + field
                + "\" is not allowed (only execute and arguments;"
                + " agents before QEMU 4.0 reject an id)");
      }
    }
    JsonNode arguments = root.get("arguments");
    if (arguments != null && !arguments.isNull() && !arguments.isObject()) {
      throw new IllegalArgumentException("JSON \"arguments\" must be an object");
    }
    return AgentCommand.of(
        execute.asText(), arguments == null || arguments.isNull() ? null : (ObjectNode) arguments);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration d;
      try {
        d = Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
      if (d.isZero()) {
        throw new TypeConversionException("\"" + value + "\" must be longer than zero");
      }
      return d;
    }
  }

  static final class VsockConverter implements ITypeConverter<AgentAddress.Vsock> {
    @Override
    public AgentAddress.Vsock convert(String value) {
      try {
        return AgentAddress.Vsock.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
