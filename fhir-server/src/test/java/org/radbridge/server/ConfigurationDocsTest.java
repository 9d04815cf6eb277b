package org.radbridge.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's settings table is Spring Boot's configuration metadata (written by the build from the
 * javadoc and defaults of RadBridgeProperties and NetworkProperties), row for row, so it cannot
 * drift from the code. When a setting changes, this test fails and writes the table it expects to
 * {@code target/settings-table.md}: paste it between the README's markers.
 */
class ConfigurationDocsTest {
  private static final String START = "<!-- settings:start (generated from the configuration metadata; see ConfigurationDocsTest) -->";
  private static final String END = "<!-- settings:end -->";

  @Test
  void theReadmeTableIsTheConfigurationMetadata() throws Exception {
    String expected = table();
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    int a = readme.indexOf(START);
    int b = readme.indexOf(END);
    assertThat(a).as("README.md has the settings markers").isGreaterThanOrEqualTo(0);
    assertThat(b).isGreaterThan(a);
    String actual = readme.substring(a + START.length(), b).strip();
    Path written = Path.of("target", "settings-table.md");
    Files.writeString(written, expected + "\n", StandardCharsets.UTF_8);
    assertThat(actual).as("README settings table (expected table written to " + written.toAbsolutePath() + ")")
        .isEqualTo(expected);
  }

  @Test
  void everySettingIsDocumented() throws Exception {
    List<String> undocumented = new ArrayList<>();
    for (JsonNode p : properties()) {
      if (!p.hasNonNull("description") || p.get("description").asText().isBlank()) {
        undocumented.add(p.get("name").asText());
      }
    }
    assertThat(undocumented).as("settings without javadoc").isEmpty();
  }

  private static List<JsonNode> properties() throws Exception {
    try (InputStream in = ConfigurationDocsTest.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("configuration metadata (spring-boot-configuration-processor)").isNotNull();
      JsonNode root = new ObjectMapper().readTree(in);
      List<JsonNode> out = new ArrayList<>();
      root.get("properties").forEach(p -> {
        if (p.get("name").asText().startsWith("radbridge.")) {
          out.add(p);
        }
      });
      out.sort(java.util.Comparator.comparing(p -> p.get("name").asText()));
      return out;
    }
  }

  private static String table() throws Exception {
    StringBuilder sb = new StringBuilder("| setting | default | meaning |\n|---|---|---|\n");
    for (JsonNode p : properties()) {
      String dflt = !p.hasNonNull("defaultValue") ? "" : text(p.get("defaultValue")).isEmpty() ? "(empty)"
          : "`" + text(p.get("defaultValue")) + "`";
      sb.append("| `").append(p.get("name").asText()).append("` | ").append(dflt).append(" | ")
          .append(p.get("description").asText().replace("|", "\\|").replace("\n", " ")).append(" |\n");
    }
    return sb.toString().strip();
  }

  private static String text(JsonNode v) {
    if (v.isArray()) {
      List<String> items = new ArrayList<>();
      v.forEach(i -> items.add(i.asText()));
      return String.join(", ", items);
    }
    return v.asText();
  }
}
