package org.mirrordirector.sync.archive.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.sync.archive.ArchiveVerifier;
import org.mirrordirector.sync.archive.Deb822Field;
import org.mirrordirector.sync.archive.Deb822Reader;
import org.mirrordirector.sync.archive.LocalArchiveSource;
import org.mirrordirector.sync.archive.Paragraph;
import org.mirrordirector.sync.archive.PoolCheck;
import org.mirrordirector.sync.archive.Sha1Policy;
import org.mirrordirector.sync.archive.TrustedKeys;
import org.mirrordirector.sync.archive.VerificationReport;
import org.mirrordirector.sync.archive.VerifyOptions;

class ArchiveGeneratorTest {
  @TempDir Path dir;

  private static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
        files.put(
            root.relativize(p).toString(),
            org.mirrordirector.sync.archive.Sha256.hex(Files.readAllBytes(p)));
      }
    }
    return files;
  }

  private static VerificationReport verify(GeneratedArchive r) throws IOException {
    TrustedKeys keys =
        TrustedKeys.fromBytes(r.key().publicKeyArmored(), "key", List.of(), Sha1Policy.REJECT);
    return new ArchiveVerifier(keys)
        .verify(
            new LocalArchiveSource(r.root()),
            VerifyOptions.defaults(r.suite()).withPool(PoolCheck.HASH));
  }

  @Test
  void sameSeedGivesTheSameBytes() throws IOException {
    ArchiveGenerator.generate(GeneratorOptions.small(dir.resolve("a"), 30, 11).withByHash(true));
    ArchiveGenerator.generate(GeneratorOptions.small(dir.resolve("b"), 30, 11).withByHash(true));
    ArchiveGenerator.generate(GeneratorOptions.small(dir.resolve("c"), 30, 12).withByHash(true));
    assertThat(tree(dir.resolve("a"))).isEqualTo(tree(dir.resolve("b")));
    assertThat(tree(dir.resolve("a"))).isNotEqualTo(tree(dir.resolve("c")));
  }

  @Test
  void withSourcesItLooksLikeRaspbianAndEverySourceUnpacks() throws Exception {
    GeneratorOptions o =
        GeneratorOptions.small(dir.resolve("a"), 40, 8)
            .withComponents(List.of("main", "contrib", "non-free", "rpi", "firmware"))
            .withByHash(true)
            .withSources(true);
    GeneratedArchive r = ArchiveGenerator.generate(o);
    VerificationReport v = verify(r);
    assertThat(v.problems()).isEmpty();
    assertThat(v.counts().sources()).isGreaterThan(20);
    Path d = r.root().resolve("dists/bookworm/");
    assertThat(d.resolve("main/source/Sources.xz")).exists();
    assertThat(d.resolve("main/i18n/Translation-en")).exists();
    assertThat(d.resolve("main/Contents-armhf.gz")).exists();
    String translation = Files.readString(d.resolve("main/i18n/Translation-en"));
    assertThat(translation).contains("Description-md5: ").contains("Description-en: ");
    assertThat(Files.readString(d.resolve("main/Contents-armhf")))
        .containsPattern("(?m)^usr/share/doc/[a-z0-9.+-]+/copyright +[a-z/]+/[a-z0-9.+-]+$");

    // dpkg-source, Debian's own tool, checks the .dsc's checksums and unpacks the source.
    Path dsc;
    try (Stream<Path> s = Files.walk(r.root().resolve("pool"))) {
      dsc = s.filter(p -> p.toString().endsWith(".dsc")).sorted().findFirst().orElseThrow();
    }
    Path work = Files.createDirectories(dir.resolve("unpack"));
    Process p =
        new ProcessBuilder("dpkg-source", "-x", dsc.toString(), "src")
            .directory(work.toFile())
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(log).isZero();
    assertThat(work.resolve("src/debian/control")).exists();
    assertThat(work.resolve("src/debian/changelog")).exists();

    // The next version in place: still verifies, and no source file is left unlisted.
    GeneratedArchive next =
        ArchiveGenerator.generate(o.withUpdateFrom(dir.resolve("a"), 30).withSources(true));
    assertThat(next.upgraded()).isGreaterThan(0);
    assertThat(verify(next).problems()).isEmpty();
    long dscs;
    try (Stream<Path> s = Files.walk(next.root().resolve("pool"))) {
      dscs = s.filter(x -> x.toString().endsWith(".dsc")).count();
    }
    assertThat(dscs).isEqualTo(verify(next).counts().sources());
  }

  @Test
  void writesPackagesInEveryArchitectureAndComponent() throws IOException {
    GeneratedArchive r =
        ArchiveGenerator.generate(
            GeneratorOptions.small(dir.resolve("a"), 60, 3)
                .withComponents(List.of("main", "contrib", "rpi"))
                .withArchitectures(List.of("armhf", "arm64")));
    VerificationReport v = verify(r);
    assertThat(v.problems()).isEmpty();
    // Architecture: all packages appear in both architectures' indexes with one pool file.
    assertThat(v.counts().packages()).isGreaterThan(r.poolFiles());
    assertThat(r.packageNames()).isEqualTo(60);
    for (String c : List.of("main", "contrib", "rpi")) {
      for (String a : List.of("armhf", "arm64")) {
        assertThat(r.root().resolve("dists/bookworm/" + c + "/binary-" + a + "/Packages.xz"))
            .exists();
      }
    }
  }

  @Test
  void updateUpgradesAddsAndRemovesAndKeepsTheRest() throws IOException {
    GeneratedArchive v1 =
        ArchiveGenerator.generate(GeneratorOptions.small(dir.resolve("v1"), 200, 5));
    GeneratedArchive v2 =
        ArchiveGenerator.generate(
            GeneratorOptions.small(dir.resolve("v2"), 0, 5).withUpdateFrom(v1.root(), 10));
    assertThat(v2.upgraded()).isEqualTo(10);
    assertThat(v2.added()).isEqualTo(5);
    assertThat(v2.removed()).isEqualTo(5);
    assertThat(v2.packageNames()).isEqualTo(200);
    assertThat(v2.date()).isEqualTo(v1.date().plusSeconds(3600));
    assertThat(v2.snapshot()).isNotEqualTo(v1.snapshot());
    assertThat(verify(v2).problems()).isEmpty();

    Map<String, String> before = tree(v1.root());
    Map<String, String> after = tree(v2.root());
    long kept =
        before.keySet().stream().filter(k -> k.startsWith("pool/") && after.containsKey(k)).count();
    long poolBefore = before.keySet().stream().filter(k -> k.startsWith("pool/")).count();
    assertThat(kept).isEqualTo(poolBefore - 15); // upgraded and removed files are gone
    // unchanged pool files are hard links, not copies
    String keptFile =
        before.keySet().stream()
            .filter(k -> k.startsWith("pool/") && after.containsKey(k))
            .findFirst()
            .orElseThrow();
    assertThat(Files.isSameFile(v1.root().resolve(keptFile), v2.root().resolve(keptFile))).isTrue();
    assertThat(Files.getAttribute(v2.root().resolve(keptFile), "unix:nlink")).isEqualTo(2);
  }

  @Test
  void updatesInPlaceAsAnUpstreamDoes() throws IOException {
    Path root = dir.resolve("up");
    GeneratedArchive v1 =
        ArchiveGenerator.generate(GeneratorOptions.small(root, 50, 9).withByHash(true));
    GeneratedArchive v2 =
        ArchiveGenerator.generate(
            GeneratorOptions.small(root, 0, 9).withByHash(true).withUpdateFrom(root, 20));
    assertThat(v2.snapshot()).isNotEqualTo(v1.snapshot());
    assertThat(verify(v2).problems()).isEmpty();
    try (Stream<Path> s = Files.walk(root.resolve("pool"))) {
      assertThat(s.filter(Files::isRegularFile).count()).isEqualTo(v2.poolFiles());
    }
  }

  @Test
  void refusesToOverwriteANonEmptyDirectoryAndToChangeComponentsOnUpdate() throws IOException {
    Path a = dir.resolve("a");
    ArchiveGenerator.generate(GeneratorOptions.small(a, 5, 1));
    assertThatThrownBy(() -> ArchiveGenerator.generate(GeneratorOptions.small(a, 5, 1)))
        .hasMessage("output directory " + a + " is not empty");
    assertThatThrownBy(
            () ->
                ArchiveGenerator.generate(
                    GeneratorOptions.small(dir.resolve("b"), 0, 1)
                        .withComponents(List.of("main"))
                        .withUpdateFrom(a, 5)))
        .hasMessageContaining("an update must keep them");
    assertThatThrownBy(() -> GeneratorOptions.small(a, 5, 1).withArchitectures(List.of("all")))
        .hasMessage("invalid architecture: all");
  }

  @Test
  void packagesAreRealDebsWhoseControlMatchesTheirStanza() throws Exception {
    GeneratedArchive r = ArchiveGenerator.generate(GeneratorOptions.small(dir.resolve("a"), 12, 8));
    List<Paragraph> stanzas = new ArrayList<>();
    try (Deb822Reader in =
        new Deb822Reader(
            Files.newInputStream(r.root().resolve("dists/bookworm/main/binary-armhf/Packages")),
            "Packages")) {
      Paragraph p;
      while ((p = in.next()) != null) {
        stanzas.add(p);
      }
    }
    assertThat(stanzas).isNotEmpty();
    for (Paragraph st : stanzas) {
      Path deb = r.root().resolve(st.get("Filename"));
      String out = dpkgDeb("--field", deb.toString());
      Paragraph control =
          new Deb822Reader(
                  new java.io.ByteArrayInputStream(out.getBytes(StandardCharsets.UTF_8)), "control")
              .next();
      for (Deb822Field f : control.fields()) {
        assertThat(st.get(f.name())).as(deb + " " + f.name()).isEqualTo(f.value());
      }
      assertThat(control.get("Package")).isEqualTo(st.get("Package"));
      assertThat(Files.size(deb)).isEqualTo(Long.parseLong(st.get("Size")));
      String infoOut = dpkgDeb("--info", deb.toString());
      assertThat(infoOut).contains("new Debian package, version 2.0.");
    }
  }

  /** Runs the real dpkg-deb; it must succeed. */
  private static String dpkgDeb(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("dpkg-deb"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void sizesFollowTheRealDistributionScaledDown() throws IOException {
    GeneratedArchive r =
        ArchiveGenerator.generate(
            GeneratorOptions.small(dir.resolve("a"), 400, 2).withSizeScale(0.02));
    List<Long> sizes = new ArrayList<>();
    try (Stream<Path> s = Files.walk(r.root().resolve("pool"))) {
      s.filter(Files::isRegularFile).forEach(p -> sizes.add(p.toFile().length()));
    }
    sizes.sort(null);
    long median = sizes.get(sizes.size() / 2);
    // real median 59 KB x 0.02 = 1.2 KB, but a .deb cannot be smaller than its ~1 KB of headers
    assertThat(median).isBetween(900L, 2_500L);
    double mean = sizes.stream().mapToLong(Long::longValue).average().orElseThrow();
    assertThat(mean).isGreaterThan(5 * median); // the long tail of a real archive
  }
}
