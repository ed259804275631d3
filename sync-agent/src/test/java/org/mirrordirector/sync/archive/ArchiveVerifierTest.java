package org.mirrordirector.sync.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;
import org.mirrordirector.sync.archive.generate.SigningKey;

class ArchiveVerifierTest {
  private static final String PACKAGES = "main/binary-armhf/Packages";

  @TempDir Path dir;
  TestArchive archive;

  @BeforeEach
  void generate() throws IOException {
    archive = TestArchive.create(dir, 40);
  }

  private static Problem only(VerificationReport r) {
    assertThat(r.problems()).as(r.problems().toString()).hasSize(1);
    return r.problems().get(0);
  }

  @Test
  void acceptsAGeneratedArchiveAndCountsWhatItChecked() throws IOException {
    VerificationReport r = archive.verify();
    assertThat(r.problems()).isEmpty();
    assertThat(r.ok()).isTrue();
    assertThat(r.snapshot()).contains(archive.result.snapshot());
    assertThat(r.codename()).contains("bookworm");
    assertThat(r.signature().get().primaryFingerprint())
        .isEqualTo(archive.result.key().fingerprint());
    assertThat(r.counts().indexFiles()).isEqualTo(6);
    assertThat(r.counts().packages()).isEqualTo(40);
    assertThat(r.counts().poolFiles()).isEqualTo(archive.result.poolFiles());
    assertThat(r.counts().poolBytesHashed()).isEqualTo(archive.result.poolBytes());
  }

  @Test
  void acceptsAMissingVariantThatAnotherVariantCovers() throws IOException {
    Files.delete(archive.dists(PACKAGES));
    Files.delete(archive.dists(PACKAGES + ".gz"));
    VerificationReport r = archive.verify();
    assertThat(r.problems()).isEmpty();
    assertThat(r.counts().packages()).isEqualTo(40);
  }

  @Test
  void reportsAnIndexOfWhichNoVariantIsPresent() throws IOException {
    for (String s : List.of("", ".gz", ".xz")) {
      Files.delete(archive.dists(PACKAGES + s));
    }
    Problem p = only(archive.verify());
    assertThat(p.kind()).isEqualTo(ProblemKind.INDEX);
    assertThat(p.message()).isEqualTo("no listed variant of this index is present");
  }

  @Test
  void reportsAWrongIndexHash() throws IOException {
    byte[] data = Files.readAllBytes(archive.dists(PACKAGES));
    data[100] ^= 1;
    Files.write(archive.dists(PACKAGES), data);
    Problem p = only(archive.verify());
    assertThat(p.kind()).isEqualTo(ProblemKind.INDEX);
    assertThat(p.file()).isEqualTo("dists/bookworm/" + PACKAGES);
    assertThat(p.message()).isEqualTo("SHA256 differs from the Release");
    assertThat(p.expected()).isNotEqualTo(p.found()).hasSize(64);
  }

  @Test
  void reportsAWrongIndexSizeWithoutReadingIt() throws IOException {
    Files.writeString(archive.dists(PACKAGES + ".gz"), "junk", StandardOpenOption.APPEND);
    Problem p = only(archive.verify());
    assertThat(p.message()).isEqualTo("size differs from the Release");
    assertThat(Long.parseLong(p.found()) - Long.parseLong(p.expected())).isEqualTo(4);
  }

  @Test
  void reportsTruncatedXzEvenWhenTheReleaseWasSignedOverIt() throws IOException {
    Files.delete(archive.dists(PACKAGES));
    Files.delete(archive.dists(PACKAGES + ".gz"));
    byte[] xz = Files.readAllBytes(archive.dists(PACKAGES + ".xz"));
    Files.write(archive.dists(PACKAGES + ".xz"), Arrays.copyOf(xz, xz.length - 40));
    archive.resignIndexes(PACKAGES + ".xz");
    Problem p = only(archive.verify());
    assertThat(p.kind()).isEqualTo(ProblemKind.INDEX);
    assertThat(p.file()).isEqualTo("dists/bookworm/" + PACKAGES + ".xz");
    assertThat(p.message()).startsWith("truncated xz data");
  }

  @Test
  void reportsTruncatedGzipEvenWhenTheReleaseWasSignedOverIt() throws IOException {
    Files.delete(archive.dists(PACKAGES));
    Files.delete(archive.dists(PACKAGES + ".xz"));
    byte[] gz = Files.readAllBytes(archive.dists(PACKAGES + ".gz"));
    Files.write(archive.dists(PACKAGES + ".gz"), Arrays.copyOf(gz, gz.length / 2));
    archive.resignIndexes(PACKAGES + ".gz");
    Problem p = only(archive.verify());
    assertThat(p.message()).startsWith("truncated gzip data");
  }

  @Test
  void reportsAPoolFileOfTheWrongSize() throws IOException {
    Path deb = archive.firstPoolFile();
    Files.write(deb, new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
    Problem p = only(archive.verify());
    assertThat(p.kind()).isEqualTo(ProblemKind.POOL);
    assertThat(p.file()).isEqualTo(archive.root.relativize(deb).toString());
    assertThat(p.message()).isEqualTo("size differs from dists/bookworm/" + PACKAGES);
    assertThat(Long.parseLong(p.found()) - Long.parseLong(p.expected())).isEqualTo(3);
  }

  @Test
  void reportsAMissingPoolFile() throws IOException {
    Path deb = archive.firstPoolFile();
    Files.delete(deb);
    Problem p = only(archive.verify());
    assertThat(p.kind()).isEqualTo(ProblemKind.POOL);
    assertThat(p.message()).isEqualTo("missing (listed in dists/bookworm/" + PACKAGES + ")");
  }

  @Test
  void findsACorruptPoolFileOnlyWhenHashing() throws IOException {
    Path deb = archive.firstPoolFile();
    byte[] data = Files.readAllBytes(deb);
    data[data.length - 1] ^= 0x55;
    Files.write(deb, data);
    assertThat(archive.verify(VerifyOptions.defaults("bookworm")).ok()).isTrue();
    Problem p = only(archive.verify());
    assertThat(p.message()).isEqualTo("SHA256 differs from dists/bookworm/" + PACKAGES);
  }

  @Test
  void reportsABadSignatureAndTrustsNothingElse() throws IOException {
    String in = Files.readString(archive.dists("InRelease"));
    Files.writeString(
        archive.dists("InRelease"), in.replace("Label: Mirror Director", "Label: Evil Director"));
    VerificationReport r = archive.verify();
    Problem p = only(r);
    assertThat(p.kind()).isEqualTo(ProblemKind.SIGNATURE);
    assertThat(p.message())
        .startsWith("BAD signature by key " + archive.result.key().fingerprint());
    assertThat(r.counts().indexFiles()).isZero();
  }

  @Test
  void reportsASignatureByAnUnknownKey() throws IOException {
    Path other = dir.resolve("other.asc");
    Files.write(other, SigningKey.fromSeed("not-the-archive-key", false).publicKeyArmored());
    VerificationReport r =
        new ArchiveVerifier(TrustedKeys.load(other, List.of(), Sha1Policy.REJECT))
            .verify(new LocalArchiveSource(archive.root), VerifyOptions.defaults("bookworm"));
    assertThat(only(r).message())
        .startsWith(
            "signed only by key(s) not trusted here: " + archive.result.key().fingerprint());
  }

  @Test
  void reportsReleaseAndInReleaseDisagreeing() throws IOException {
    Files.writeString(archive.dists("Release"), "Extra: field\n", StandardOpenOption.APPEND);
    VerificationReport r = archive.verify();
    assertThat(r.problems())
        .extracting(Problem::kind, Problem::message)
        .contains(
            org.assertj.core.groups.Tuple.tuple(
                ProblemKind.RELEASE, "Release and the signed text of InRelease disagree"));
  }

  @Test
  void reportsDotDotAndAbsoluteFilenames() throws IOException {
    String text = Files.readString(archive.dists(PACKAGES));
    String first = archive.firstField(PACKAGES, "Filename");
    String second = text.split("Filename: ")[2].split("\n")[0];
    text = text.replace("Filename: " + first, "Filename: pool/../../../etc/passwd");
    text = text.replace("Filename: " + second, "Filename: /etc/shadow");
    Files.writeString(archive.dists(PACKAGES), text);
    Files.delete(archive.dists(PACKAGES + ".gz"));
    Files.delete(archive.dists(PACKAGES + ".xz"));
    archive.resignIndexes(PACKAGES);
    VerificationReport r = archive.verify();
    assertThat(r.problems()).extracting(Problem::kind).containsOnly(ProblemKind.STANZA);
    assertThat(r.problems())
        .extracting(Problem::message)
        .anySatisfy(
            m -> assertThat(m).endsWith("unsafe Filename 'pool/../../../etc/passwd': '..' segment"))
        .anySatisfy(m -> assertThat(m).endsWith("unsafe Filename '/etc/shadow': absolute path"));
  }

  @Test
  void reportsTheSameFilenameWithTwoHashes() throws IOException {
    String main = Files.readString(archive.dists(PACKAGES));
    String stanza = main.substring(0, main.indexOf("\n\n") + 2);
    String sha = archive.firstField(PACKAGES, "SHA256");
    String rpi = "rpi/binary-armhf/Packages";
    Files.writeString(
        archive.dists(rpi), stanza.replace(sha, "f".repeat(64)), StandardOpenOption.APPEND);
    Files.delete(archive.dists(rpi + ".gz"));
    Files.delete(archive.dists(rpi + ".xz"));
    archive.resignIndexes(rpi);
    VerificationReport r = archive.verify();
    Problem p = only(r);
    assertThat(p.kind()).isEqualTo(ProblemKind.STANZA);
    assertThat(p.file()).isEqualTo(archive.firstField(PACKAGES, "Filename"));
    assertThat(p.message())
        .isEqualTo(
            "the same Filename is listed with two different sizes or hashes, in"
                + " dists/bookworm/main/binary-armhf/Packages and"
                + " dists/bookworm/rpi/binary-armhf/Packages");
    assertThat(p.found()).endsWith("f".repeat(64));
  }

  @Test
  void reportsMissingRequiredFieldsOfTheReleaseAndOfAStanza() throws IOException {
    archive.editRelease(t -> t.replaceFirst("Components: [^\n]*\n", ""));
    Problem p = only(archive.verify());
    assertThat(p.kind()).isEqualTo(ProblemKind.RELEASE);
    assertThat(p.message()).endsWith("lacks the required field(s) Components");

    archive.editRelease(
        t -> t.replaceFirst("Architectures:", "Components: main rpi\nArchitectures:"));
    String text = Files.readString(archive.dists(PACKAGES));
    Files.writeString(archive.dists(PACKAGES), text.replaceFirst("\nSize: [0-9]+\n", "\n"));
    Files.delete(archive.dists(PACKAGES + ".gz"));
    Files.delete(archive.dists(PACKAGES + ".xz"));
    archive.resignIndexes(PACKAGES);
    Problem s = only(archive.verify());
    assertThat(s.kind()).isEqualTo(ProblemKind.STANZA);
    assertThat(s.message()).isEqualTo("stanza lacks Size");
  }

  @Test
  void reportsADateInTheFutureAndAnExpiredValidUntil() throws IOException {
    Instant date = archive.result.date();
    VerifyOptions before =
        VerifyOptions.defaults("bookworm")
            .withClock(Clock.fixed(date.minus(Duration.ofHours(2)), ZoneOffset.UTC));
    Problem p = only(archive.verify(before));
    assertThat(p.message()).isEqualTo("Date is in the future");
    assertThat(p.found()).isEqualTo("Thu, 01 Jan 2026 00:00:00 UTC");

    TestArchive expiring =
        TestArchive.create(
            dir.resolve("expiring"),
            GeneratorOptions.small(dir.resolve("expiring/archive"), 5, 3)
                .withValidFor(Duration.ofDays(7)));
    VerifyOptions later =
        VerifyOptions.defaults("bookworm")
            .withClock(Clock.fixed(date.plus(Duration.ofDays(8)), ZoneOffset.UTC));
    Problem e = only(expiring.verify(later));
    assertThat(e.message()).isEqualTo("Valid-Until has passed: the Release is expired");
    assertThat(
            expiring
                .verify(
                    VerifyOptions.defaults("bookworm")
                        .withClock(Clock.fixed(date.plus(Duration.ofDays(6)), ZoneOffset.UTC)))
                .ok())
        .isTrue();
  }

  @Test
  void reportsARollbackToAnOlderRelease() throws IOException {
    VerifyOptions o =
        VerifyOptions.defaults("bookworm").withNotOlderThan(archive.result.date().plusSeconds(1));
    assertThat(only(archive.verify(o)).message())
        .isEqualTo("Date is older than the previous Release (a rollback?)");
  }

  @Test
  void reportsAReleaseForAnotherSuiteAndUnknownComponents() throws IOException {
    Files.createDirectories(archive.root.resolve("dists/trixie"));
    for (String f : List.of("InRelease", "Release", "Release.gpg")) {
      Files.copy(archive.dists(f), archive.root.resolve("dists/trixie/" + f));
    }
    VerificationReport r =
        archive.verify(VerifyOptions.defaults("trixie").withPool(PoolCheck.NONE));
    assertThat(r.problems())
        .extracting(Problem::message)
        .contains("Release is not for the suite asked for");

    VerificationReport c =
        archive.verify(
            VerifyOptions.defaults("bookworm").withComponents(List.of("main", "contrib")));
    assertThat(c.problems())
        .extracting(Problem::message)
        .contains(
            "component contrib is not in the Release",
            "the Release lists no Packages index for contrib/armhf");
  }

  @Test
  void reportsAnIndexLineFarLongerThanAnyRealOne() throws IOException {
    byte[] huge = new byte[3 << 20];
    Arrays.fill(huge, (byte) 'x');
    byte[] text = ("Package: a\nDescription: ").getBytes(StandardCharsets.US_ASCII);
    Path p = archive.dists(PACKAGES);
    Files.write(p, text);
    Files.write(p, huge, StandardOpenOption.APPEND);
    Files.delete(archive.dists(PACKAGES + ".gz"));
    Files.delete(archive.dists(PACKAGES + ".xz"));
    archive.resignIndexes(PACKAGES);
    Problem pr = only(archive.verify());
    assertThat(pr.kind()).isEqualTo(ProblemKind.INDEX);
    assertThat(pr.message())
        .isEqualTo("line 2: line is longer than 1048576 bytes; no real index has such a line");
  }

  @Test
  void checksByHashWhenTheReleaseAsksForIt() throws IOException {
    TestArchive byHash =
        TestArchive.create(
            dir.resolve("byhash"),
            GeneratorOptions.small(dir.resolve("byhash/archive"), 10, 5).withByHash(true));
    assertThat(byHash.verify().problems()).isEmpty();
    String sha = byHash.firstFieldOfRelease(PACKAGES + ".xz");
    Files.delete(byHash.dists("main/binary-armhf/by-hash/SHA256/" + sha));
    Problem p = only(byHash.verify());
    assertThat(p.kind()).isEqualTo(ProblemKind.BY_HASH);
    assertThat(p.message()).isEqualTo("missing, but the Release says Acquire-By-Hash: yes");
  }

  @Test
  void verifiesAMirrorOverHttp() throws Exception {
    try (StaticHttpServer http = new StaticHttpServer(archive.root)) {
      ArchiveVerifier v = new ArchiveVerifier(archive.keys());
      HttpArchiveSource src = new HttpArchiveSource(http.base(), Duration.ofSeconds(10));
      VerificationReport ok =
          v.verify(src, VerifyOptions.defaults("bookworm").withPool(PoolCheck.HASH));
      assertThat(ok.problems()).isEmpty();
      assertThat(ok.counts().poolBytesHashed()).isEqualTo(archive.result.poolBytes());

      Files.delete(archive.firstPoolFile());
      Problem p = only(v.verify(src, VerifyOptions.defaults("bookworm")));
      assertThat(p.kind()).isEqualTo(ProblemKind.POOL);
      assertThat(p.message()).startsWith("missing");
    }
  }

  @Test
  void reportsAMirrorThatIsDownAsAFetchProblem() throws Exception {
    java.net.URI base;
    try (StaticHttpServer http = new StaticHttpServer(archive.root)) {
      base = http.base();
    }
    VerificationReport r =
        new ArchiveVerifier(archive.keys())
            .verify(
                new HttpArchiveSource(base, Duration.ofSeconds(5)),
                VerifyOptions.defaults("bookworm"));
    Problem p = r.problems().get(0);
    assertThat(p.kind()).isEqualTo(ProblemKind.FETCH);
    assertThat(p.message()).contains(base.toString());
  }

  @Test
  void acceptsReleaseWithADetachedSignatureWhenThereIsNoInRelease() throws IOException {
    Files.delete(archive.dists("InRelease"));
    VerificationReport r = archive.verify();
    assertThat(r.problems()).isEmpty();
    assertThat(r.snapshot().get().sha256())
        .isEqualTo(Sha256.hex(Files.readAllBytes(archive.dists("Release"))));
    assertThat(r.counts().packages()).isEqualTo(40);

    Files.delete(archive.dists("Release.gpg"));
    Problem p = only(archive.verify());
    assertThat(p.kind()).isEqualTo(ProblemKind.SIGNATURE);
    assertThat(p.message()).isEqualTo("has no InRelease and no Release.gpg: unsigned");

    Files.delete(archive.dists("Release"));
    assertThat(only(archive.verify()).message())
        .isEqualTo("has neither InRelease nor Release (wrong suite name?)");
  }

  @Test
  void refusesAKeyWithSha1BindingsUnlessThePolicyAllowsIt() throws IOException {
    TestArchive raspbianLike =
        TestArchive.create(
            dir.resolve("sha1"),
            GeneratorOptions.small(dir.resolve("sha1/archive"), 5, 2).withKey("sha1-key", true));
    Problem p = only(raspbianLike.verify());
    assertThat(p.kind()).isEqualTo(ProblemKind.SIGNATURE);
    assertThat(p.message()).contains("self-signature uses SHA-1");
    TrustedKeys allow =
        TrustedKeys.load(raspbianLike.keyring, List.of(), Sha1Policy.ALLOW_FOR_BINDINGS);
    assertThat(
            new ArchiveVerifier(allow)
                .verify(
                    new LocalArchiveSource(raspbianLike.root), VerifyOptions.defaults("bookworm"))
                .problems())
        .isEmpty();
  }
}
