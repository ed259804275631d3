package org.mirrordirector.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * A director replica's copy: {@code dists/} alone, by-hash included, from a real rsync daemon,
 * verified against the signed InRelease, never the pool.
 */
class IndexOnlySyncTest extends SyncAgentFixture {

  SyncAgent replica() throws IOException {
    return new SyncAgent(
        SyncConfig.of(daemon.url(), dir.resolve("replica"), List.of("bookworm"), "replica-1")
            .withIndexesOnly(true),
        upstream.keys());
  }

  static long files(Path tree, String under) throws IOException {
    if (!Files.exists(tree.resolve(under))) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(tree.resolve(under))) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void theIndexesArriveVerifiedAndThePoolNever() throws Exception {
    SyncAgent a = replica();
    SyncReport r = a.runOnce();
    assertThat(r.problems()).isEmpty();
    assertThat(r.outcome()).isEqualTo(SyncOutcome.PUBLISHED);
    assertThat(r.ids().get("bookworm")).isEqualTo(upstream.result.snapshot());
    Path tree = r.snapshot();
    assertThat(tree.resolve("pool")).doesNotExist();
    assertThat(files(upstream.root, "pool")).isGreaterThanOrEqualTo(40);
    assertThat(files(tree, "dists")).isEqualTo(files(upstream.root, "dists"));
    try (Stream<Path> s = Files.walk(tree.resolve("dists"))) {
      assertThat(s.anyMatch(p -> p.toString().contains("/by-hash/SHA256/"))).isTrue();
    }
    assertThat(r.receivedPool()).isEmpty();
    assertThat(r.verifications().get(0).counts().poolBytesHashed()).isZero();

    // The next snapshot: unchanged indexes are links to the previous copy, the pool still absent.
    ArchiveGenerator.generate(
        GeneratorOptions.small(upstream.root, 0, 21)
            .withByHash(true)
            .withUpdateFrom(upstream.root, 10));
    SyncReport next = a.runOnce();
    assertThat(next.problems()).isEmpty();
    assertThat(next.outcome()).isEqualTo(SyncOutcome.PUBLISHED);
    assertThat(next.ids().get("bookworm")).isNotEqualTo(r.ids().get("bookworm"));
    assertThat(next.snapshot().resolve("pool")).doesNotExist();
    assertThat(a.store().list()).containsExactly(r.snapshot(), next.snapshot());
  }

  @Test
  void aTamperedIndexIsRejectedAndTheCopyBeforeItStays() throws Exception {
    SyncAgent a = replica();
    SyncReport good = a.runOnce();
    ArchiveGenerator.generate(
        GeneratorOptions.small(upstream.root, 0, 21)
            .withByHash(true)
            .withUpdateFrom(upstream.root, 10));
    // One byte of the new Packages index changes after signing: same size, wrong hash.
    Path packages;
    try (Stream<Path> s = Files.walk(upstream.root.resolve("dists"))) {
      packages =
          s.filter(p -> p.getFileName().toString().equals("Packages")).findFirst().orElseThrow();
    }
    byte[] b = Files.readAllBytes(packages);
    b[b.length / 2] = (byte) (b[b.length / 2] == 'a' ? 'b' : 'a');
    Files.write(packages, b);
    SyncReport bad = a.runOnce();
    assertThat(bad.outcome()).isEqualTo(SyncOutcome.REJECTED);
    assertThat(bad.problems())
        .anySatisfy(p -> assertThat(p).contains(upstream.root.relativize(packages).toString()));
    assertThat(a.store().current()).contains(good.snapshot());
    assertThat(a.store().list()).containsExactly(good.snapshot());
  }
}
