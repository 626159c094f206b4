package io.qga.collectors;

import io.qga.client.AgentUnsupportedException;
import java.util.function.Supplier;

/** Calls a collector's optional extra command: skipped when the agent lacks it. */
final class OptionalCommand {
  private OptionalCommand() {}

  /**
   * The command's result, or null when the context says the agent lacks it or the agent answers
   * "unsupported". Other agent errors propagate: the poll failed.
   */
  static <T> T call(CollectContext context, String command, Supplier<T> call) {
    if (!context.supports(command)) {
      return null;
    }
    try {
      return call.get();
    } catch (AgentUnsupportedException e) {
      return null;
    }
  }
}
