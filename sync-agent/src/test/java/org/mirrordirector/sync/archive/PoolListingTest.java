package org.mirrordirector.sync.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast listing of a Packages index's pool files: on valid indexes written every way deb822
 * allows (field names in any case, CRLF, blanks around values, continuation lines, several blank
 * lines, no final newline, reads split anywhere) it lists exactly what the full parser does; on
 * stanzas the full parser skips for their Filename or Size, it skips them too; malformed files end
 * with an error naming the line.
 */
class PoolListingTest {
  private static List<String> fast(String index) throws Exception {
    List<String> out = new ArrayList<>();
    PoolListing.packages(
        new ByteArrayInputStream(index.getBytes(StandardCharsets.UTF_8)),
        "test",
        (p, s) -> out.add(p + " " + s));
    return out;
  }

  private static List<String> full(String index) throws Exception {
    List<String> out = new ArrayList<>();
    IndexParsers.packages(
        new ByteArrayInputStream(index.getBytes(StandardCharsets.UTF_8)),
        "test",
        b -> out.add(b.filename() + " " + b.size()),
        bad -> {});
    return out;
  }

  @Test
  void listsWhatTheFullParserListsHoweverTheIndexIsWritten() throws Exception {
    Random r = new Random(15);
    String sha = "ab".repeat(32);
    for (int round = 0; round < 300; round++) {
      StringBuilder b = new StringBuilder();
      String nl = r.nextBoolean() ? "\n" : "\r\n";
      int n = 1 + r.nextInt(40);
      for (int k = 0; k < n; k++) {
        List<String> fields = new ArrayList<>();
        fields.add(name("Package", r) + ": pkg" + k);
        fields.add(name("Version", r) + ": 1." + k + "-1");
        fields.add(name("Architecture", r) + ":" + (r.nextBoolean() ? " " : "\t") + "armhf");
        fields.add(
            name("Filename", r)
                + ":  pool/main/p/pkg"
                + k
                + "/pkg"
                + k
                + "_1."
                + k
                + "-1_armhf.deb"
                + (r.nextBoolean() ? " \t" : ""));
        fields.add(name("Size", r) + ": " + r.nextInt(1_000_000) + (r.nextBoolean() ? " " : ""));
        fields.add(name("SHA256", r) + ": " + sha);
        fields.add("Description: a package" + nl + " Filename: pool/not/a/field.deb" + nl + " .");
        java.util.Collections.shuffle(fields, r);
        b.append(String.join(nl, fields)).append(nl);
        for (int blank = 1 + r.nextInt(2); blank > 0; blank--) {
          b.append(r.nextBoolean() ? "" : " \t").append(nl);
        }
      }
      String index = r.nextBoolean() ? b.toString() : b.toString().stripTrailing();
      assertThat(fast(index)).as(index).isEqualTo(full(index)).hasSize(n);
    }
  }

  private static String name(String field, Random r) {
    return switch (r.nextInt(3)) {
      case 0 -> field;
      case 1 -> field.toLowerCase(java.util.Locale.ROOT);
      default -> field.toUpperCase(java.util.Locale.ROOT);
    };
  }

  @Test
  void skipsWhatTheFullParserSkipsForItsFilenameOrSize() throws Exception {
    String sha = "ab".repeat(32);
    String good = "Package: aa\nVersion: 1\nArchitecture: all\nSHA256: " + sha + "\n";
    String index =
        good
            + "Filename: pool/a/ok.deb\nSize: 10\n\n"
            + good
            + "Filename: pool/a/no-size.deb\n\n"
            + good
            + "Size: 10\n\n"
            + good
            + "Filename: pool/a/bad-size.deb\nSize: 1O\n\n"
            + good
            + "Filename: /etc/passwd\nSize: 10\n\n"
            + good
            + "Filename: pool/../../etc/passwd\nSize: 10\n\n"
            + good
            + "Filename: pool/a/two\n lines.deb\nSize: 10\n\n"
            + good
            + "Filename: pool/a/last.deb\nSize: 20\n";
    assertThat(fast(index)).containsExactly("pool/a/ok.deb 10", "pool/a/last.deb 20");
    assertThat(fast(index)).isEqualTo(full(index));
  }

  @Test
  void malformedFilesEndWithTheLineNamed() {
    assertThatThrownBy(() -> fast("Filename: pool/a.deb\nSize: 1\nFilename: pool/b.deb\n"))
        .isInstanceOf(ArchiveFormatException.class)
        .hasMessageContaining("Filename appears twice")
        .hasMessageContaining("3");
    assertThatThrownBy(() -> fast("Package: a\nnot a field\n"))
        .isInstanceOf(ArchiveFormatException.class)
        .hasMessageContaining("expected 'Field: value'")
        .hasMessageContaining("2");
    assertThatThrownBy(() -> fast(" continued\nPackage: a\n"))
        .isInstanceOf(ArchiveFormatException.class)
        .hasMessageContaining("continuation line before any field");
  }

  /** A stream that hands out a few bytes at a time: lines split across reads anywhere. */
  @Test
  void linesSplitAcrossReadsAnywhere() throws Exception {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < 2_000; k++) {
      b.append("Package: p\nFilename: pool/p/p").append(k).append(".deb\nSize: ").append(k);
      b.append("\nDescription: ").append("x".repeat(k % 700)).append("\n\n");
    }
    byte[] bytes = b.toString().getBytes(StandardCharsets.US_ASCII);
    Random r = new Random(7);
    java.io.InputStream trickle =
        new java.io.FilterInputStream(new ByteArrayInputStream(bytes)) {
          @Override
          public int read(byte[] buf, int off, int len) throws java.io.IOException {
            return super.read(buf, off, Math.min(len, 1 + r.nextInt(5000)));
          }
        };
    List<String> out = new ArrayList<>();
    long stanzas = PoolListing.packages(trickle, "test", (p, s) -> out.add(p + " " + s));
    assertThat(stanzas).isEqualTo(2_000);
    assertThat(out).hasSize(2_000).startsWith("pool/p/p0.deb 0").endsWith("pool/p/p1999.deb 1999");
  }
}
