package org.mirrordirector.sync.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class Deb822ReaderTest {

  private static Deb822Reader reader(String text) {
    return new Deb822Reader(
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "Packages");
  }

  @Test
  void readsParagraphsWithContinuationLinesAndCaseInsensitiveNames() throws IOException {
    Deb822Reader r =
        reader(
            "Package: hello\nVersion: 2.10-3\nDescription: greets\n the world\n .\n  twice\n\n\n"
                + "package: other\r\nSize:  12  \r\n");
    Paragraph a = r.next();
    assertThat(a.get("package")).isEqualTo("hello");
    assertThat(a.get("Description")).isEqualTo("greets\nthe world\n.\n twice");
    assertThat(a.line()).isEqualTo(1);
    Paragraph b = r.next();
    assertThat(b.get("Package")).isEqualTo("other");
    assertThat(b.get("size")).isEqualTo("12");
    assertThat(b.line()).isEqualTo(9);
    assertThat(r.next()).isNull();
  }

  @Test
  void materialisesOnlyTheWantedFieldsButStillChecksTheOthers() throws IOException {
    String text =
        "Package: a\nDescription: x\n y\nFilename: pool/a.deb\n\nPackage: b\nbroken line\n";
    Deb822Reader r =
        new Deb822Reader(
            new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
            "Packages",
            Deb822Limits.DEFAULT,
            Set.of("package", "filename"));
    Paragraph a = r.next();
    assertThat(a.fields()).extracting(Deb822Field::name).containsExactly("Package", "Filename");
    assertThatThrownBy(r::next)
        .isInstanceOf(ArchiveFormatException.class)
        .hasMessage("Packages:7: expected 'Field: value' but found 'broken line'");
  }

  @Test
  void rejectsAFieldThatAppearsTwice() {
    assertThatThrownBy(() -> reader("Package: a\nVersion: 1\npackage: b\n").next())
        .hasMessage("Packages:3: field package appears twice");
  }

  @Test
  void rejectsAContinuationLineBeforeAnyField() {
    assertThatThrownBy(() -> reader(" orphan\n").next())
        .hasMessage("Packages:1: continuation line before any field in the stanza");
  }

  @Test
  void rejectsCommentsAndControlCharactersInFieldNames() {
    assertThatThrownBy(() -> reader("#Package: a\n").next())
        .hasMessageContaining("field name may not start with '#'");
    assertThatThrownBy(() -> reader("Pack\u0001age: a\n").next())
        .hasMessageContaining("invalid character in field name");
  }

  @Test
  void failsFastOnA100MegabyteLineWithoutReadingItWhole() {
    CountingZeros in = new CountingZeros(100L << 20);
    Deb822Reader r = new Deb822Reader(in, "main/binary-armhf/Packages");
    assertThatThrownBy(r::next)
        .isInstanceOf(ArchiveFormatException.class)
        .hasMessage(
            "main/binary-armhf/Packages:1: line is longer than 1048576 bytes; no real index has"
                + " such a line");
    assertThat(in.served).isLessThan(2L << 20);
  }

  @Test
  void failsFastOnAStanzaLongerThanTheLimit() {
    Deb822Limits small = new Deb822Limits(1024, 4096, 100);
    StringBuilder sb = new StringBuilder("Package: big\nDescription: x\n");
    for (int i = 0; i < 100; i++) {
      sb.append(" ").append("y".repeat(100)).append('\n');
    }
    Deb822Reader r =
        new Deb822Reader(
            new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8)),
            "Packages",
            small,
            null);
    assertThatThrownBy(r::next)
        .hasMessage("Packages:1: stanza is longer than 4096 bytes; no real one is");
  }

  /** An endless line of 'a' with no newline, counting what was read from it. */
  static final class CountingZeros extends InputStream {
    private final long size;
    long served;

    CountingZeros(long size) {
      this.size = size;
    }

    @Override
    public int read() {
      if (served >= size) {
        return -1;
      }
      served++;
      return 'a';
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (served >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - served);
      java.util.Arrays.fill(b, off, off + n, (byte) 'a');
      served += n;
      return n;
    }
  }
}
