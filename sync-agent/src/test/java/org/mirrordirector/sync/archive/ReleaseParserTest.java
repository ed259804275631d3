package org.mirrordirector.sync.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReleaseParserTest {
  private static final String SHA = "a".repeat(64);

  private static ReleaseFile parse(String text) throws IOException {
    return ReleaseParser.parse(text.getBytes(StandardCharsets.UTF_8), "dists/bookworm/Release");
  }

  @Test
  void parsesAReleaseAsRaspbianPublishesIt() throws IOException {
    ReleaseFile r =
        parse(
            "Origin: Raspbian\nLabel: Raspbian\nSuite: stable\nCodename: bookworm\n"
                + "Date: Sat, 10 Aug 2024 08:45:12 UTC\nArchitectures: armhf\n"
                + "Components: main contrib non-free rpi firmware\nDescription: Raspbian\n"
                + "MD5Sum:\n "
                + "b".repeat(32)
                + " 123 main/binary-armhf/Packages\nSHA256:\n "
                + SHA
                + " 123 main/binary-armhf/Packages\n "
                + SHA
                + " 45 main/binary-armhf/Packages.xz\n");
    assertThat(r.codename()).isEqualTo("bookworm");
    assertThat(r.answersTo("stable")).isTrue();
    assertThat(r.answersTo("bookworm")).isTrue();
    assertThat(r.answersTo("trixie")).isFalse();
    assertThat(r.date()).isEqualTo(Instant.parse("2024-08-10T08:45:12Z"));
    assertThat(r.validUntil()).isEmpty();
    assertThat(r.acquireByHash()).isFalse();
    assertThat(r.components()).containsExactly("main", "contrib", "non-free", "rpi", "firmware");
    assertThat(r.sha256())
        .containsOnlyKeys("main/binary-armhf/Packages", "main/binary-armhf/Packages.xz");
    assertThat(r.sha256().get("main/binary-armhf/Packages.xz").size()).isEqualTo(45);
  }

  @Test
  void namesEveryMissingRequiredField() {
    assertThatThrownBy(() -> parse("Origin: x\nDate: Sat, 10 Aug 2024 08:45:12 UTC\n"))
        .isInstanceOf(ArchiveFormatException.class)
        .hasMessage(
            "dists/bookworm/Release:1: lacks the required field(s) Architectures, Components,"
                + " SHA256, Suite or Codename");
  }

  @Test
  void rejectsMalformedHashLinesDatesAndUnsafePaths() {
    String head = "Codename: b\nArchitectures: armhf\nComponents: main\n";
    assertThatThrownBy(() -> parse(head + "Date: yesterday\nSHA256:\n " + SHA + " 1 x\n"))
        .hasMessageContaining("Date: not an RFC 2822 date");
    String date = "Date: Sat, 10 Aug 2024 08:45:12 +0000\n";
    assertThatThrownBy(() -> parse(head + date + "SHA256:\n abc 1 x\n"))
        .hasMessageContaining("SHA256 has a malformed hash for x: abc");
    assertThatThrownBy(() -> parse(head + date + "SHA256:\n " + SHA + " -1 x\n"))
        .hasMessageContaining("malformed size for x: -1");
    assertThatThrownBy(() -> parse(head + date + "SHA256:\n " + SHA + " 1 ../../etc/passwd\n"))
        .hasMessageContaining("unsafe path '../../etc/passwd'");
    assertThatThrownBy(
            () ->
                parse(
                    head
                        + date
                        + "SHA256:\n "
                        + SHA
                        + " 1 x\nMD5Sum:\n "
                        + "c".repeat(32)
                        + " 2 x\n"))
        .hasMessageContaining("x has size 1 in SHA256 but 2 in MD5Sum");
  }

  @Test
  void readsTheDateFormsArchivesUse() {
    Instant t = Instant.parse("2024-08-10T08:45:12Z");
    assertThat(Rfc2822Dates.parse("Sat, 10 Aug 2024 08:45:12 UTC")).isEqualTo(t);
    assertThat(Rfc2822Dates.parse("Sat, 10 Aug 2024 08:45:12 GMT")).isEqualTo(t);
    assertThat(Rfc2822Dates.parse("Sat, 10 Aug 2024 10:45:12 +0200")).isEqualTo(t);
    assertThat(Rfc2822Dates.format(t)).isEqualTo("Sat, 10 Aug 2024 08:45:12 UTC");
    assertThatThrownBy(() -> Rfc2822Dates.parse("Sat, 10 Aug 2024 08:45:12 CEST"))
        .hasMessageContaining("zone 'CEST'");
  }
}
