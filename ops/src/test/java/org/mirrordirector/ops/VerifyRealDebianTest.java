package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.mirrordirector.ops.cli.MirrorctlTest.mirrorctl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mirrordirector.ops.cli.MirrorctlTest.Run;

/**
 * {@code mirrorctl verify} on data no one here made: Debian bookworm's real InRelease, signed by
 * Debian's keys, and its main/binary-amd64 Packages (63,000 stanzas) from this machine's apt lists,
 * laid out as a mirror that carries main and amd64 only, without translations or extras (what apt
 * itself keeps). The test command runs {@code apt-get update} first when the lists are absent.
 * Skipped when there are none (or bookworm-security's have expired); its twins on generated
 * archives are {@code SelectionTest}, {@code SelectionRsyncTest} and {@code PartialMirrorSyncTest}.
 */
class VerifyRealDebianTest {
  static final Path LISTS = Path.of("/var/lib/apt/lists");
  static final Path KEYRING = Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");
  static final String PREFIX = "deb.debian.org_debian_dists_bookworm_";

  @TempDir static Path dir;
  static Path archive;

  /** The lists as a partial mirror's tree: dists/bookworm/InRelease and the plain Packages. */
  @BeforeAll
  static void layOut() throws Exception {
    Path in = LISTS.resolve(PREFIX + "InRelease");
    Path lz4 = LISTS.resolve(PREFIX + "main_binary-amd64_Packages.lz4");
    assumeTrue(
        Files.isRegularFile(in) && Files.isRegularFile(lz4) && Files.isReadable(KEYRING),
        "no Debian bookworm lists in " + LISTS + " (run apt-get update)");
    archive = dir.resolve("debian");
    Path d = archive.resolve("dists/bookworm");
    Files.createDirectories(d.resolve("main/binary-amd64"));
    Files.copy(in, d.resolve("InRelease"));
    Process p =
        new ProcessBuilder("lz4", "-dcq", lz4.toString())
            .redirectOutput(d.resolve("main/binary-amd64/Packages").toFile())
            .start();
    assertThat(p.waitFor()).as("lz4 -d").isZero();
    byHash(d.resolve("main/binary-amd64/Packages"));
  }

  /** The Release says Acquire-By-Hash: a mirror carries each index under its SHA-256 too. */
  static void byHash(Path index) throws Exception {
    String sha =
        java.util.HexFormat.of()
            .formatHex(
                java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(index)));
    Path h = index.resolveSibling("by-hash/SHA256/" + sha);
    Files.createDirectories(h.getParent());
    Files.createLink(h, index);
  }

  static Run verify(String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "verify",
                archive.toString(),
                "--suite",
                "bookworm",
                "--keyring",
                KEYRING.toString(),
                "--pool",
                "none",
                "--max-problems",
                "500"));
    args.addAll(List.of(more));
    return mirrorctl(args.toArray(String[]::new));
  }

  static final String[] PARTIAL = {
    "--components", "main", "--arch", "amd64", "--languages", "none", "--extras", "none"
  };

  /**
   * Debian's other suites on this machine, each with its quirks: bookworm-updates lists pdiffs
   * (Packages.diff/Index), bookworm-security names its components "updates/main" while its paths
   * say "main/" and lists no "all" architecture (apt reads no binary-all there).
   */
  @ParameterizedTest
  @ValueSource(strings = {"debian bookworm-updates", "debian-security bookworm-security"})
  void debiansOtherSuitesVerifyAsPartialMirrorsToo(String archiveAndSuite) throws Exception {
    String[] as = archiveAndSuite.split(" ");
    String prefix = "deb.debian.org_" + as[0] + "_dists_" + as[1] + "_";
    Path in = LISTS.resolve(prefix + "InRelease");
    Path lz4 = LISTS.resolve(prefix + "main_binary-amd64_Packages.lz4");
    assumeTrue(Files.isRegularFile(in) && Files.isRegularFile(lz4), "no " + as[1] + " lists");
    String text = Files.readString(in);
    java.util.regex.Matcher vu =
        java.util.regex.Pattern.compile("(?m)^Valid-Until: (.*)$").matcher(text);
    assumeTrue(
        !vu.find()
            || org.mirrordirector.sync.archive.Rfc2822Dates.parse(vu.group(1).trim())
                .isAfter(java.time.Instant.now()),
        "the " + as[1] + " lists have expired: run apt-get update");
    Path root = dir.resolve(as[1]);
    Path d = root.resolve("dists/" + as[1]);
    Files.createDirectories(d.resolve("main/binary-amd64"));
    Files.copy(in, d.resolve("InRelease"));
    Process p =
        new ProcessBuilder("lz4", "-dcq", lz4.toString())
            .redirectOutput(d.resolve("main/binary-amd64/Packages").toFile())
            .start();
    assertThat(p.waitFor()).isZero();
    byHash(d.resolve("main/binary-amd64/Packages"));
    List<String> args =
        new ArrayList<>(
            List.of(
                "verify",
                root.toString(),
                "--suite",
                as[1],
                "--keyring",
                KEYRING.toString(),
                "--pool",
                "none"));
    args.addAll(List.of(PARTIAL));
    Run r = mirrorctl(args.toArray(String[]::new));
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    args.set(args.indexOf("--extras") + 1, "pdiffs");
    Run withPdiffs = mirrorctl(args.toArray(String[]::new));
    if (text.contains(".diff/Index")) {
      assertThat(withPdiffs.out()).contains("main/binary-amd64/Packages.diff/Index");
    }
  }

  @Test
  void debiansIndexesVerifyAsAPartialMirror() {
    Run r = verify(PARTIAL);
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("carries   main; amd64; no translations; no extras")
        .containsPattern("checked   1 index files .*, 6[0-9]{4} packages")
        .contains("OK");
  }

  @Test
  void theSelectionDecidesWhatIsRequired() {
    Run full = verify("--components", "main", "--arch", "amd64");
    assertThat(full.code()).as("translations, Contents and dep11 are then required").isOne();
    assertThat(full.out())
        .contains("main/i18n/Translation-en")
        .contains("main/Contents-amd64")
        .contains("main/dep11/Components-amd64.yml");
    assertThat(full.out()).doesNotContain("binary-arm64").doesNotContain("Contents-arm64");

    Run english = verify("--components", "main", "--arch", "amd64", "--languages", "en");
    assertThat(english.out()).contains("main/i18n/Translation-en").doesNotContain("Translation-de");
  }

  @Test
  void oneChangedByteFailsNamingTheFile() throws Exception {
    Path copy = dir.resolve("changed");
    Path d = copy.resolve("dists/bookworm");
    Files.createDirectories(d.resolve("main/binary-amd64"));
    Files.copy(archive.resolve("dists/bookworm/InRelease"), d.resolve("InRelease"));
    byte[] b = Files.readAllBytes(archive.resolve("dists/bookworm/main/binary-amd64/Packages"));
    b[b.length / 3] ^= 0x20;
    Files.write(d.resolve("main/binary-amd64/Packages"), b);
    byHash(d.resolve("main/binary-amd64/Packages"));
    List<String> args =
        new ArrayList<>(
            List.of(
                "verify",
                copy.toString(),
                "--suite",
                "bookworm",
                "--keyring",
                KEYRING.toString(),
                "--pool",
                "none"));
    args.addAll(List.of(PARTIAL));
    Run r = mirrorctl(args.toArray(String[]::new));
    assertThat(r.code()).isOne();
    assertThat(r.out())
        .contains("dists/bookworm/main/binary-amd64/Packages")
        .contains("SHA256 differs from the Release");
  }

  @Test
  void aSelectionTheReleaseDoesNotListIsNamed() {
    Run r = verify("--components", "main", "--arch", "sparc64", "--extras", "none");
    assertThat(r.code()).isOne();
    assertThat(r.out()).contains("architecture sparc64 is not in the Release");
    Run c = verify("--components", "rpi", "--arch", "amd64");
    assertThat(c.out()).contains("component rpi is not in the Release");
    Run e = verify("--extras", "contents,manpages");
    assertThat(e.code()).isEqualTo(2);
    assertThat(e.err()).contains("--extras: unknown extra 'manpages'");
    Run l = verify("--languages", "english");
    assertThat(l.code()).isEqualTo(2);
    assertThat(l.err()).contains("'english' is not a language name");
  }
}
