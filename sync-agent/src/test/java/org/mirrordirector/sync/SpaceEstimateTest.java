package org.mirrordirector.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpaceEstimateTest {
  /** Scans as a stream and as a mapped buffer; both must agree. */
  static Map<String, Long> scan(String text) throws Exception {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    Map<String, Long> streamed = new LinkedHashMap<>();
    SpaceEstimate.scanPackages(new ByteArrayInputStream(data), streamed::put);
    Map<String, Long> mapped = new LinkedHashMap<>();
    SpaceEstimate.scanPackages(java.nio.ByteBuffer.wrap(data), mapped::put);
    assertThat(mapped).containsExactlyEntriesOf(streamed);
    return streamed;
  }

  @Test
  void readsFilenameAndSizeOfEachStanza() throws Exception {
    assertThat(
            scan(
                "Package: a\nFilename: pool/main/a/a_1_armhf.deb\nSize: 123\nSHA256: x\n\n"
                    + "Package: b\nSize: 7\nFilename: pool/main/b/b_1_armhf.deb\n"))
        .containsExactly(
            Map.entry("pool/main/a/a_1_armhf.deb", 123L),
            Map.entry("pool/main/b/b_1_armhf.deb", 7L));
  }

  @Test
  void skipsStanzasWithoutBothUnsafePathsAndOverlongLines() throws Exception {
    assertThat(
            scan(
                "Filename: pool/x.deb\n\n"
                    + "Size: 5\n\n"
                    + "Filename: ../../etc/passwd\nSize: 5\n\n"
                    + "Filename: pool/"
                    + "y".repeat(10_000)
                    + ".deb\nSize: 9\n\n"
                    + "Filename: pool/z.deb\nSize: 12abc\n\n"
                    + "Filename: pool/w.deb\r\nSize: 3\r\n"))
        .containsExactly(Map.entry("pool/z.deb", 12L), Map.entry("pool/w.deb", 3L));
  }
}
