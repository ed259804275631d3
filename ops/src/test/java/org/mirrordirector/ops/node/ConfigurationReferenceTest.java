package org.mirrordirector.ops.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/configuration.md} is what {@link ConfigurationReference} writes from the option
 * table. After a change of the table: {@code cd ops && mvn -q test
 * -Dtest=ConfigurationReferenceTest -Dmd.writeDocs=true} writes it again.
 */
class ConfigurationReferenceTest {
  private static final Path DOC = Path.of("../docs/configuration.md");

  @Test
  void theReferenceInDocsIsTheOneTheOptionTableWrites() throws Exception {
    String expected = ConfigurationReference.markdown();
    if (Boolean.getBoolean("md.writeDocs")) {
      Files.writeString(DOC, expected);
    }
    assertThat(Files.readString(DOC))
        .as(
            "docs/configuration.md differs from the option table; write it again with: cd ops &&"
                + " mvn -q test -Dtest=ConfigurationReferenceTest -Dmd.writeDocs=true")
        .isEqualTo(expected);
  }

  @Test
  void everySettingTheDocsNameIsAKeyOfTheTable() throws Exception {
    java.util.Set<String> keys = new java.util.HashSet<>();
    for (ConfigOption o : NodeOptions.ALL) {
      keys.add(o.key());
    }
    java.util.regex.Pattern named =
        java.util.regex.Pattern.compile(
            "`((?:node|zookeeper|archive|director|probe|network|hooks)\\.[a-z][a-z0-9-]*)");
    java.util.List<String> unknown = new java.util.ArrayList<>();
    int seen = 0;
    for (String doc : java.util.List.of("README.md", "docs/operators-guide.md", "docs/design.md")) {
      java.util.regex.Matcher m = named.matcher(Files.readString(Path.of("..", doc)));
      while (m.find()) {
        if (m.group(1).equals("node.yaml")) {
          continue; // the file, not a key
        }
        seen++;
        if (!keys.contains(m.group(1))) {
          unknown.add(doc + ": " + m.group(1));
        }
      }
    }
    assertThat(seen).as("settings named in the docs").isGreaterThan(20);
    assertThat(unknown).as("named in the docs, not settable in node.yaml").isEmpty();
  }
}
