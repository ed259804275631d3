package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and {@code docs/}: their links resolve in the repository (the packages: {@code
 * PackageIT}), the README stays a short front door, and user-facing text names no issue numbers and
 * no file outside the repository.
 */
class DocsTest {
  private static final Path TOP = Path.of("..").toAbsolutePath().normalize();

  static List<Path> documents() throws Exception {
    List<Path> docs = new ArrayList<>(List.of(TOP.resolve("README.md")));
    try (Stream<Path> s = Files.list(TOP.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    return docs;
  }

  @Test
  void everyLinkResolvesInTheRepository() throws Exception {
    List<String> broken = new ArrayList<>();
    for (Path d : documents()) {
      broken.addAll(DocLinks.broken(d));
    }
    assertThat(broken).isEmpty();
    assertThat(documents())
        .extracting(p -> p.getFileName().toString())
        .contains("operators-guide.md", "configuration.md", "design.md", "testing.md");
  }

  @Test
  void theCheckFindsAMissingFileAndAMissingHeading(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("b.md"), "# Title\n\n## The picture\n");
    Files.writeString(
        dir.resolve("a.md"),
        "[ok](b.md) [ok](b.md#the-picture) [web](https://example.org/x) [gone](c.md)"
            + " [nohead](b.md#nothing)\n```\n[in code](d.md)\n```\n");
    assertThat(DocLinks.broken(dir.resolve("a.md")))
        .hasSize(2)
        .anyMatch(p -> p.contains("c.md: no such file"))
        .anyMatch(p -> p.contains("b.md#nothing: no heading"));
  }

  @Test
  void theReadmeIsShortAndLinksEveryDocument() throws Exception {
    String readme = Files.readString(TOP.resolve("README.md"));
    assertThat(readme.lines().count()).as("README.md lines").isLessThanOrEqualTo(220);
    for (Path d : documents().subList(1, documents().size())) {
      assertThat(readme).contains("](docs/" + d.getFileName() + ")");
    }
  }

  @Test
  void theReadmesTableNamesEveryCommand() throws Exception {
    String readme = Files.readString(TOP.resolve("README.md"));
    java.util.Set<String> commands =
        org.mirrordirector.ops.cli.Mirrorctl.commandLine().getSubcommands().keySet();
    assertThat(commands).hasSizeGreaterThanOrEqualTo(9);
    for (String c : commands) {
      assertThat(readme).as("the README's command table").contains("| `mirrorctl " + c);
    }
  }

  @Test
  void userFacingTextNamesNoIssueAndNoFileOutsideTheRepository() throws Exception {
    Pattern issue = Pattern.compile("\\bissues? \\d+");
    for (Path d : documents()) {
      String text = Files.readString(d);
      assertThat(issue.matcher(text).find()).as(d + " names an issue number").isFalse();
      assertThat(text).as(d.toString()).doesNotContain("../shared");
    }
  }
}
