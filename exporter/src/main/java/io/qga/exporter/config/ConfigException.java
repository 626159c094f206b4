package io.qga.exporter.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A config file could not be read or is invalid; carries every problem found, not just the first.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    super(summary(problems));
    this.problems = List.copyOf(problems);
  }

  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String summary(List<ConfigProblem> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    return problems.size()
        + (problems.size() == 1 ? " problem: " : " problems: ")
        + problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("; "));
  }
}
