package org.mirrordirector.sync.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;

class CompressionAndIndexParsersTest {
  private static final String SHA = "0123456789abcdef".repeat(4);
  private static final String STANZA =
      "Package: hello\nVersion: 2.10-3\nArchitecture: armhf\nFilename: pool/main/h/hello/hello_2.10-3_armhf.deb\nSize: 53212\nSHA256: "
          + SHA
          + "\nDescription: example\n\n";

  private static byte[] compress(Compression c, byte[] data) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (OutputStream o =
        switch (c) {
          case NONE -> bos;
          case GZIP -> new GzipCompressorOutputStream(bos);
          case XZ -> new XZCompressorOutputStream(bos);
          case BZIP2 -> new BZip2CompressorOutputStream(bos);
        }) {
      o.write(data);
    }
    return bos.toByteArray();
  }

  private static List<BinaryPackage> parsePackages(InputStream in, List<StanzaProblem> problems)
      throws IOException {
    List<BinaryPackage> out = new ArrayList<>();
    IndexParsers.packages(in, "Packages", out::add, problems::add);
    return out;
  }

  @Test
  void readsEveryCompressionApttUses() throws IOException {
    byte[] plain =
        STANZA
            .repeat(50)
            .replace("Package: hello\n", "Package: hello\n")
            .getBytes(StandardCharsets.UTF_8);
    for (Compression c : Compression.values()) {
      byte[] packed = compress(c, plain);
      InputStream in =
          c.decompress(new ByteArrayInputStream(packed), "Packages" + c.suffix(), plain.length);
      assertThat(in.readAllBytes()).as(c.name()).isEqualTo(plain);
    }
    assertThat(Compression.of("main/binary-armhf/Packages.xz")).isEqualTo(Compression.XZ);
    assertThat(Compression.base("main/binary-armhf/Packages.bz2"))
        .isEqualTo("main/binary-armhf/Packages");
  }

  @Test
  void namesTruncatedXzAndGzipData() throws IOException {
    byte[] plain = STANZA.repeat(200).getBytes(StandardCharsets.UTF_8);
    for (Compression c : List.of(Compression.XZ, Compression.GZIP)) {
      byte[] packed = compress(c, plain);
      byte[] cut = Arrays.copyOf(packed, packed.length / 2);
      String name = "main/binary-armhf/Packages" + c.suffix();
      assertThatThrownBy(
              () ->
                  c.decompress(new ByteArrayInputStream(cut), name, Long.MAX_VALUE).readAllBytes())
          .isInstanceOf(ArchiveFormatException.class)
          .hasMessageStartingWith(name + ": truncated " + c.name().toLowerCase() + " data");
    }
  }

  @Test
  void stopsADecompressionBombAtTheListedSize() throws IOException {
    byte[] packed = compress(Compression.XZ, new byte[10 << 20]);
    assertThatThrownBy(
            () ->
                Compression.XZ
                    .decompress(new ByteArrayInputStream(packed), "Packages.xz", 1 << 20)
                    .readAllBytes())
        .hasMessage("Packages.xz: decompresses to more than the 1048576 bytes allowed");
  }

  @Test
  void parsesPackagesStanzas() throws IOException {
    List<StanzaProblem> problems = new ArrayList<>();
    List<BinaryPackage> pkgs =
        parsePackages(new ByteArrayInputStream(STANZA.getBytes(StandardCharsets.UTF_8)), problems);
    assertThat(problems).isEmpty();
    assertThat(pkgs)
        .containsExactly(
            new BinaryPackage(
                "hello",
                "2.10-3",
                "armhf",
                "pool/main/h/hello/hello_2.10-3_armhf.deb",
                53212,
                SHA));
  }

  @Test
  void reportsBadStanzasAndGoesOn() throws IOException {
    String text =
        STANZA.replace("Size: 53212\n", "")
            + STANZA.replace("pool/main/h/hello/", "pool/../../etc/")
            + STANZA.replace("pool/main/h/hello/hello", "/srv/hello")
            + STANZA.replace("hello_2.10", "hello;rm -rf_2.10")
            + STANZA.replace("Size: 53212", "Size: 12x")
            + STANZA.replace(SHA, "abc")
            + STANZA;
    List<StanzaProblem> problems = new ArrayList<>();
    List<BinaryPackage> pkgs =
        parsePackages(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), problems);
    assertThat(pkgs).hasSize(1);
    assertThat(problems)
        .extracting(StanzaProblem::toString)
        .containsExactly(
            "Packages:1: stanza lacks Size",
            "Packages:8: hello: unsafe Filename 'pool/../../etc/hello_2.10-3_armhf.deb': '..' segment",
            "Packages:16: hello: unsafe Filename '/srv/hello_2.10-3_armhf.deb': absolute path",
            "Packages:24: hello: unsafe Filename 'pool/main/h/hello/hello;rm -rf_2.10-3_armhf.deb': unsafe character ';'",
            "Packages:32: hello: invalid Size '12x'",
            "Packages:40: hello: invalid SHA256 'abc'");
  }

  @Test
  void parsesSourcesIntoPoolFiles() throws IOException {
    String text =
        "Package: hello\nBinary: hello\nVersion: 2.10-3\nDirectory: pool/main/h/hello\n"
            + "Checksums-Sha256:\n "
            + SHA
            + " 1183 hello_2.10-3.dsc\n "
            + SHA
            + " 725946 hello_2.10.orig.tar.gz\n\n"
            + "Package: evil\nVersion: 1-1\nDirectory: pool/main/e/evil\nChecksums-Sha256:\n "
            + SHA
            + " 1 ../../../etc/shadow\n";
    List<SourcePackage> out = new ArrayList<>();
    List<StanzaProblem> problems = new ArrayList<>();
    IndexParsers.sources(
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
        "Sources",
        out::add,
        problems::add);
    assertThat(out).hasSize(1);
    assertThat(out.get(0).files())
        .containsExactly(
            new PoolFile("pool/main/h/hello/hello_2.10-3.dsc", 1183, SHA),
            new PoolFile("pool/main/h/hello/hello_2.10.orig.tar.gz", 725946, SHA));
    assertThat(problems)
        .singleElement()
        .asString()
        .contains("evil: malformed Checksums-Sha256 line");
  }
}
