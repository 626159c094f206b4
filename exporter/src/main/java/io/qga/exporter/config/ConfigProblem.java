package io.qga.exporter.config;

/**
 * One thing wrong with a config file.
 *
 * @param path the YAML path of the offending node, e.g. {@code /collectors/network/interval} or
 *     {@code /policies/0/schedule}; {@code /} for the document itself
 * @param message what is wrong and what would be valid
 */
public record ConfigProblem(String path, String message) {

  @Override
  public String toString() {
    return path + ": " + message;
  }
}
