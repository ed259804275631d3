package org.mirrordirector.sync.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReadAheadInputStreamTest {

  private static boolean threadAlive(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("read-ahead " + name) && t.isAlive());
  }

  @Test
  void deliversEveryByteInOrder() throws IOException {
    byte[] data = new byte[3_000_001];
    new Random(1).nextBytes(data);
    try (InputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data), "order")) {
      assertThat(in.readAllBytes()).isEqualTo(data);
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void passesOnTheSourcesFailureAsItWasThrown() throws IOException {
    InputStream failing =
        new InputStream() {
          int n;

          @Override
          public int read() throws IOException {
            if (n++ > 700_000) {
              throw new ArchiveFormatException("Packages.xz", "truncated xz data (boom)", null);
            }
            return 'x';
          }
        };
    try (InputStream in = new ReadAheadInputStream(failing, "failing")) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(ArchiveFormatException.class)
          .hasMessage("Packages.xz: truncated xz data (boom)");
    }
  }

  @Test
  void closingEarlyStopsTheThreadAndClosesTheSource() throws Exception {
    boolean[] closed = {false};
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            return 'y';
          }

          @Override
          public void close() {
            closed[0] = true;
          }
        };
    InputStream in = new ReadAheadInputStream(endless, "endless");
    assertThat(in.readNBytes(1000)).hasSize(1000);
    assertThat(threadAlive("endless")).isTrue();
    in.close();
    assertThat(closed[0]).isTrue();
    assertThat(threadAlive("endless")).isFalse();
  }
}
