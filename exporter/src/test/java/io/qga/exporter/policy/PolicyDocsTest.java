package io.qga.exporter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.qga.exporter.config.Config;
import io.qga.exporter.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The example in docs/policies.md is a valid config with the rules it describes. */
class PolicyDocsTest {
  @Test
  void theDocumentedExampleLoads() throws Exception {
    Path doc = Path.of("..", "docs", "policies.md");
    String text = Files.readString(doc);
    int start = text.indexOf("```yaml\n") + "```yaml\n".length();
    String yaml = text.substring(start, text.indexOf("```", start));
    Config config = ConfigLoader.parse(yaml, doc.getParent());
    assertThat(config.policies())
        .extracting(p -> p.name())
        .containsExactly("weekly-trim", "clock-drift", "resync-after-outage", "trim-when-full");
    assertThat(config.policies().get(0).windows()).hasSize(1);
    assertThat(config.policies().get(3).dryRun()).isTrue();
  }
}
