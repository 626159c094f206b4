package io.qga.client.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code guest-info}: the agent's version and every command it knows. */
public record GuestInfo(
    @JsonProperty("version") String version,
    @JsonProperty("supported_commands") List<SupportedCommand> supportedCommands) {
  public GuestInfo {
    version = version == null ? "" : version;
    supportedCommands = supportedCommands == null ? List.of() : List.copyOf(supportedCommands);
  }

  /** One entry of {@code supported_commands}. */
  public record SupportedCommand(
      @JsonProperty("name") String name,
      @JsonProperty("enabled") boolean enabled,
      @JsonProperty("success-response") Boolean successResponse) {}
}
