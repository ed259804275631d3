package org.mirrordirector.sync.archive.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;

class ArchiveFilesTest {
  @TempDir Path dir;

  @Test
  void theDictionaryHoldsTheDataAndNoMore() {
    int max = 8 << 20;
    assertThat(ArchiveFiles.dictionaryFor(0, max)).isEqualTo(LZMA2Options.DICT_SIZE_MIN);
    assertThat(ArchiveFiles.dictionaryFor(4096, max)).isEqualTo(4096);
    assertThat(ArchiveFiles.dictionaryFor(4097, max)).isEqualTo(8192);
    assertThat(ArchiveFiles.dictionaryFor(300_000, max)).isEqualTo(512 * 1024);
    assertThat(ArchiveFiles.dictionaryFor(100 << 20, max)).isEqualTo(max);
  }

  @Test
  void whatItCompressesXzDecompressesToTheSameBytes() throws Exception {
    Random random = new Random(7);
    StringBuilder text = new StringBuilder();
    while (text.length() < 3 << 20) {
      text.append("Package: p").append(random.nextInt(100_000)).append("\nVersion: 1.0\n\n");
    }
    byte[] noise = new byte[70_000];
    random.nextBytes(noise);
    for (byte[] data :
        new byte[][] {
          new byte[0],
          "x\n".getBytes(StandardCharsets.UTF_8),
          noise,
          text.toString().getBytes(StandardCharsets.UTF_8)
        }) {
      for (int preset : new int[] {0, 6}) {
        byte[] xz = ArchiveFiles.xz(data, preset);
        try (XZInputStream in = new XZInputStream(new ByteArrayInputStream(xz))) {
          assertThat(in.readAllBytes())
              .as("%d bytes, preset %d", data.length, preset)
              .isEqualTo(data);
        }
        // and the xz tool agrees, its memory check included
        Path f = dir.resolve("f.xz");
        Files.write(f, xz);
        assertThat(xzTest(f)).as("xz -t on %d bytes, preset %d", data.length, preset).isZero();
      }
    }
  }

  private static int xzTest(Path f) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("xz", "-t", f.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("xz -t " + f + " did not end within 60 s");
    }
    return p.exitValue();
  }
}
