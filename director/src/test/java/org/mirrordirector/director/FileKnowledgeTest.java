package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the director knows of each kept snapshot, read from real generated trees. */
class FileKnowledgeTest {
  @TempDir static Path dir;

  @BeforeAll
  static void fleet() throws Exception {
    TestFleet.create(dir);
  }

  @Test
  void refreshReadsOnlyNewSnapshotsAndForgetsPrunedOnes() throws Exception {
    FileKnowledge one = FileKnowledge.load(List.of(TestFleet.s1Tree), List.of("bookworm"));
    assertThat(one.size()).isEqualTo(1);
    assertThat(one.hasPoolFile(TestFleet.s1, TestFleet.inBoth)).isTrue();
    assertThat(one.hasPoolFile(TestFleet.s1, TestFleet.onlyInS2)).isFalse();

    FileKnowledge two =
        one.refresh(List.of(TestFleet.s1Tree, TestFleet.s2Tree), List.of("bookworm"));
    assertThat(two.size()).isEqualTo(2);
    assertThat(two.snapshot(TestFleet.s1).orElseThrow())
        .as("a known snapshot is not read again")
        .isSameAs(one.snapshot(TestFleet.s1).orElseThrow());
    assertThat(two.hasPoolFile(TestFleet.s2, TestFleet.onlyInS2)).isTrue();
    assertThat(two.hasPoolFile(TestFleet.s2, TestFleet.inBoth)).isTrue();

    FileKnowledge pruned = two.refresh(List.of(TestFleet.s2Tree), List.of("bookworm"));
    assertThat(pruned.snapshot(TestFleet.s1)).isEmpty();
    assertThat(pruned.snapshot(TestFleet.s2)).isPresent();
    assertThat(pruned.problems()).isEmpty();
  }

  @Test
  void aSnapshotThatCannotBeReadIsSkippedAndNamed() throws Exception {
    Path bad = dir.resolve("bad/dists/bookworm");
    Files.createDirectories(bad);
    Files.writeString(bad.resolve("InRelease"), "not a signed message\n");
    FileKnowledge k =
        FileKnowledge.load(List.of(dir.resolve("bad"), TestFleet.s2Tree), List.of("bookworm"));
    assertThat(k.size()).isEqualTo(1);
    assertThat(k.snapshot(TestFleet.s2)).isPresent();
    assertThat(k.problems()).singleElement().asString().contains("bad/dists/bookworm/InRelease");
  }
}
