package org.mirrordirector.sync.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Learning a snapshot from data no one here made: Debian bookworm's real InRelease (signed by
 * Debian's keys) and its main/binary-amd64 Packages from this machine's apt lists, laid out as a
 * partial mirror carries them (one architecture of many). Skipped where apt has no such lists.
 */
class SuiteIndexRealDebianTest {
  private static final Path LISTS = Path.of("/var/lib/apt/lists");
  private static final Path KEYRING = Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");

  @TempDir Path dir;

  @Test
  void debiansRealIndexesAreLearnedAsAPartialMirrorCarriesThem() throws Exception {
    Path in = LISTS.resolve("deb.debian.org_debian_dists_bookworm_InRelease");
    Path lz4 = LISTS.resolve("deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4");
    assumeTrue(
        Files.isRegularFile(in) && Files.isRegularFile(lz4) && Files.isReadable(KEYRING),
        "no Debian bookworm lists in " + LISTS + " (run apt-get update)");
    Path d = dir.resolve("dists/bookworm");
    Files.createDirectories(d.resolve("main/binary-amd64"));
    Files.copy(in, d.resolve("InRelease"));
    Path packages = d.resolve("main/binary-amd64/Packages");
    assertThat(
            new ProcessBuilder("lz4", "-dcq", lz4.toString())
                .redirectOutput(packages.toFile())
                .start()
                .waitFor())
        .isZero();
    TrustedKeys keys = TrustedKeys.load(KEYRING, List.of(), Sha1Policy.REJECT);
    byte[] data = Files.readAllBytes(d.resolve("InRelease"));

    SuiteIndex i =
        SuiteIndex.read(new LocalArchiveSource(dir), "bookworm", data, keys, true, new HashMap<>());
    assertThat(i.pool()).hasSizeGreaterThan(50_000);
    assertThat(i.pool().keySet()).allMatch(p -> p.startsWith("pool/"));
    assertThat(i.packagesIndexes()).containsOnlyKeys("main/binary-amd64/Packages");
    // Unchecked, as the director reads a tree verified when it was synced: the fast listing of
    // Filename and Size (PoolListing) lists exactly what the full parser does.
    SuiteIndex fast =
        SuiteIndex.read(
            new LocalArchiveSource(dir), "bookworm", data, null, false, new HashMap<>());
    assertThat(fast.pool()).isEqualTo(i.pool());

    byte[] bytes = Files.readAllBytes(packages);
    bytes[bytes.length / 2] ^= 1;
    Files.write(packages, bytes);
    assertThatThrownBy(
            () ->
                SuiteIndex.read(
                    new LocalArchiveSource(dir), "bookworm", data, keys, true, new HashMap<>()))
        .isInstanceOf(ArchiveFormatException.class)
        .hasMessageContaining("main/binary-amd64/Packages")
        .hasMessageContaining("does not match its Release entry");
  }
}
