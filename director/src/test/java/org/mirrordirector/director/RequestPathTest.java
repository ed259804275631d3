package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathTest {
  static final List<String> ROOTS = List.of("/raspbian/", "/debian/");

  static RequestPath ok(String raw) throws Exception {
    return RequestPath.classify(raw, ROOTS);
  }

  @Test
  void classifiesEveryKindOfArchiveFile() throws Exception {
    RequestPath in = ok("/raspbian/dists/bookworm/InRelease");
    assertThat(in.kind()).isEqualTo(PathKind.RELEASE);
    assertThat(in.root()).isEqualTo("/raspbian/");
    assertThat(in.suite()).isEqualTo("bookworm");
    assertThat(ok("/raspbian/dists/bookworm/Release.gpg").kind()).isEqualTo(PathKind.RELEASE);
    assertThat(ok("/raspbian/dists/bookworm/main/binary-armhf/Packages.xz").kind())
        .isEqualTo(PathKind.INDEX);
    assertThat(ok("/raspbian/dists/bookworm/main/binary-armhf/Release").kind())
        .as("a Release below the suite is an index, not the snapshot's")
        .isEqualTo(PathKind.INDEX);
    String hex = "0123456789abcdef".repeat(4);
    RequestPath bh = ok("/debian/dists/bookworm/main/binary-armhf/by-hash/SHA256/" + hex);
    assertThat(bh.kind()).isEqualTo(PathKind.BY_HASH);
    assertThat(bh.byHash()).isEqualTo(hex);
    assertThat(ok("/debian/dists/bookworm/main/binary-armhf/by-hash/MD5Sum/abc").kind())
        .isEqualTo(PathKind.INDEX);
    RequestPath deb = ok("/raspbian/pool/main/h/hello/hello_2.10-3+rpi1_armhf.deb");
    assertThat(deb.kind()).isEqualTo(PathKind.POOL);
    assertThat(deb.path()).isEqualTo("pool/main/h/hello/hello_2.10-3+rpi1_armhf.deb");
    assertThat(ok("/raspbian/project/trace/master").kind()).isEqualTo(PathKind.OTHER);
  }

  @Test
  void theArchitectureOfAFileIsReadFromItsPath() throws Exception {
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("pool/main/h/hello/hello_2.10-3_armhf.deb", "armhf");
    cases.put("pool/main/h/hello/hello_2.10-3_all.deb", "all");
    cases.put("pool/main/d/d-i/d-i_1.0_arm64.udeb", "arm64");
    cases.put("pool/main/h/hello/hello_2.10-3.dsc", "source");
    cases.put("pool/main/h/hello/hello_2.10.orig.tar.gz", "source");
    cases.put("pool/main/h/hello/hello_2.10-3.debian.tar.xz", "source");
    cases.put("pool/main/h/hello/hello_2.10-3.diff.gz", "source");
    cases.put("pool/main/h/hello/README", null);
    cases.put("dists/bookworm/main/binary-armhf/Packages.xz", "armhf");
    cases.put("dists/bookworm/main/binary-arm64/by-hash/SHA256/" + "a".repeat(64), "arm64");
    cases.put("dists/bookworm/main/source/Sources.xz", "source");
    cases.put("dists/bookworm/main/debian-installer/binary-armhf/Packages.gz", "armhf");
    cases.put("dists/bookworm/main/installer-arm64/current/images/SHA256SUMS", "arm64");
    cases.put("dists/bookworm/main/Contents-armhf.gz", "armhf");
    cases.put("dists/bookworm/main/Contents-udeb-arm64.gz", "arm64");
    cases.put("dists/bookworm/main/dep11/Components-armhf.yml.gz", "armhf");
    cases.put("dists/bookworm/main/i18n/Translation-en", null);
    cases.put("dists/bookworm/InRelease", null);
    for (Map.Entry<String, String> e : cases.entrySet()) {
      assertThat(RequestPath.classify("/raspbian/" + e.getKey(), ROOTS).architecture())
          .as(e.getKey())
          .isEqualTo(e.getValue());
    }
  }

  @Test
  void aptsEncodedEpochSurvivesTheRoundTripToTheLocation() throws Exception {
    // apt asks for the file "foo_1%3a2.0-1_armhf.deb" as ".../foo_1%253a2.0-1_armhf.deb".
    RequestPath p = ok("/raspbian/pool/main/f/foo/foo_1%253a2.0-1_armhf.deb");
    assertThat(p.path()).isEqualTo("pool/main/f/foo/foo_1%3a2.0-1_armhf.deb");
    assertThat(p.encoded()).isEqualTo("pool/main/f/foo/foo_1%253a2.0-1_armhf.deb");
    assertThat(ok("/raspbian/pool/main/g/g%2b%2b/g++_1_armhf.deb").path())
        .isEqualTo("pool/main/g/g++/g++_1_armhf.deb");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/raspbian/../etc/passwd",
        "/raspbian/pool/../../etc/passwd",
        "/raspbian/./dists/bookworm/InRelease",
        "/raspbian/pool/%2e%2e/%2e%2e/etc/passwd",
        "/raspbian/pool/%2E%2E%2Fetc",
        "/raspbian/pool/..%2fetc",
        "/raspbian/pool/%252e%252e%252fx/%0d%0aSet-Cookie:x",
        "/raspbian/pool/a%0d%0aLocation:%20http://evil/",
        "/raspbian/pool/a\r\nLocation: http://evil/",
        "/raspbian/pool/a%00b",
        "/raspbian/pool/a%5cb",
        "/raspbian/pool\\..\\etc",
        "/raspbian//pool/x.deb",
        "/raspbian/pool/x.deb/",
        "/raspbian/pool/%zz",
        "/raspbian/pool/%4",
        "/raspbian/pool/%c3%a9.deb",
        "/raspbian/pool/a b.deb",
        "/raspbian/pool/a\"b.deb",
        "/raspbian/pool/<script>.deb",
        "/raspbian/pool/x.deb?redirect=http://evil/",
        "raspbian/pool/x.deb",
      })
  void unsafePathsAreRejectedWith400(String raw) {
    assertThatThrownBy(() -> ok(raw))
        .isInstanceOf(RejectedPath.class)
        .satisfies(e -> assertThat(((RejectedPath) e).status()).isEqualTo(400));
  }

  @Test
  void anOverlongPathIsRejectedBeforeAnyDecoding() {
    assertThatThrownBy(() -> ok("/raspbian/pool/" + "a".repeat(2000)))
        .isInstanceOf(RejectedPath.class)
        .hasMessage("the path is longer than 1024 characters");
  }

  @Test
  void pathsUnderNoRootAre404() {
    assertThatThrownBy(() -> ok("/ubuntu/dists/noble/InRelease"))
        .isInstanceOf(RejectedPath.class)
        .satisfies(e -> assertThat(((RejectedPath) e).status()).isEqualTo(404));
    assertThatThrownBy(() -> ok("/raspbian/"))
        .satisfies(e -> assertThat(((RejectedPath) e).status()).isEqualTo(404));
  }

  @Test
  void theEncodedFormNeverCarriesAnythingButSafeCharacters() throws Exception {
    for (String raw :
        List.of(
            "/raspbian/pool/main/a/a%25b/a%2540_1~rc1_armhf.deb",
            "/raspbian/pool/main/z/z=,:@/z_1_armhf.deb")) {
      assertThat(ok(raw).encoded()).matches("[A-Za-z0-9._~/:@+=,%-]+");
    }
  }

  /**
   * The classification checks segments in place and returns an unescaped path without copying it;
   * on 200,000 paths (real archive paths, then mutated: separators, dots, escapes, control and
   * non-ASCII characters inserted, characters dropped) it answers exactly as the plain reference
   * does: the same classification, or the same refusal with the same message.
   */
  @Test
  void answersExactlyAsThePlainReferenceOnMutatedPaths() {
    String hex = "0123456789abcdef".repeat(4);
    List<String> seeds =
        List.of(
            "/raspbian/dists/bookworm/InRelease",
            "/raspbian/dists/bookworm/Release.gpg",
            "/debian/dists/bookworm/main/binary-armhf/Packages.xz",
            "/debian/dists/bookworm/main/binary-armhf/by-hash/SHA256/" + hex,
            "/debian/dists/bookworm/main/by-hash/SHA256/" + hex,
            "/raspbian/pool/main/h/hello/hello_2.10-3+rpi1_armhf.deb",
            "/raspbian/pool/main/e/epoch/epoch_1%3a2.0_all.deb",
            "/raspbian/project/trace/master",
            "/raspbian/dists/stable-updates/Release",
            "/debian/dists/b/x/by-hash/SHA256/" + hex);
    String[] inserts = {
      "/",
      "//",
      ".",
      "..",
      "/./",
      "/../",
      "%",
      "%2e",
      "%2E",
      "%2f",
      "%2F",
      "%25",
      "%5c",
      "%0a",
      "%zz",
      "%4",
      "\\",
      "?",
      "#",
      "\u0000",
      "\n",
      "\u007f",
      "é",
      "東",
      "a",
      "Z",
      "9",
      "-",
      "_",
      "+",
      "~",
      ":",
      "@",
      "=",
      ",",
      " ",
      "by-hash/SHA256/",
      "dists/",
      "pool/",
      "InRelease"
    };
    java.util.Random r = new java.util.Random(15);
    int rejected = 0;
    for (int k = 0; k < 200_000; k++) {
      StringBuilder p = new StringBuilder(seeds.get(r.nextInt(seeds.size())));
      for (int m = r.nextInt(4); m > 0; m--) {
        int at = r.nextInt(p.length() + 1);
        if (r.nextInt(3) == 0 && p.length() > 0) {
          p.deleteCharAt(Math.min(at, p.length() - 1));
        } else {
          p.insert(at, inserts[r.nextInt(inserts.length)]);
        }
      }
      String raw = p.toString();
      Object expected;
      try {
        expected = ReferenceRequestPath.classify(raw, ROOTS);
      } catch (RejectedPath e) {
        expected = e.status() + " " + e.getMessage();
        rejected++;
      }
      Object actual;
      try {
        actual = RequestPath.classify(raw, ROOTS);
      } catch (RejectedPath e) {
        actual = e.status() + " " + e.getMessage();
      }
      assertThat(actual).as(raw).isEqualTo(expected);
    }
    assertThat(rejected).as("both kinds of answer were compared").isBetween(20_000, 180_000);
  }
}
