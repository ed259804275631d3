package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What happens to rotated access log files: gzipped under an index of their own (never over an
 * older gzip), what a crash left behind recovered, old days deleted, other files left alone, and
 * the compressing thread at nice 19 while the others keep theirs.
 */
class RotatedLogsTest {
  @TempDir Path dir;

  private static final Clock NOV_30 =
      Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);

  private final List<String> warnings = new ArrayList<>();

  private RotatedLogs logs(boolean compress) {
    return new RotatedLogs(dir.resolve("access.log"), compress, 3, NOV_30, warnings::add);
  }

  @Test
  void plainFilesAreGzippedAfterTheDaysHighestGzipAndACrashsLeftoversAreRecovered()
      throws Exception {
    write("access.log", "active\n");
    // A run before a restart left .0.gz and .1.gz; logback, which sees only plain files, started
    // again at .0 and .1; a crash interrupted the compression of one of them (.tmp).
    gzip("access.log.2026-11-30.0.gz", "first\n");
    gzip("access.log.2026-11-30.1.gz", "second\n");
    write("access.log.2026-11-30.0", "third\n");
    write("access.log.2026-11-30.1", "fourth\n");
    write("access.log.2026-11-30.2.gz.tmp", "half a gzip");
    write("access.log.2026-11-29.5", "yesterday\n");

    logs(true).pass();

    assertThat(names())
        .containsExactly(
            "access.log",
            "access.log.2026-11-29.0.gz",
            "access.log.2026-11-30.0.gz",
            "access.log.2026-11-30.1.gz",
            "access.log.2026-11-30.2.gz",
            "access.log.2026-11-30.3.gz");
    assertThat(gunzip("access.log.2026-11-30.0.gz")).isEqualTo("first\n");
    assertThat(gunzip("access.log.2026-11-30.1.gz")).isEqualTo("second\n");
    assertThat(gunzip("access.log.2026-11-30.2.gz")).isEqualTo("third\n");
    assertThat(gunzip("access.log.2026-11-30.3.gz")).isEqualTo("fourth\n");
    assertThat(gunzip("access.log.2026-11-29.0.gz")).isEqualTo("yesterday\n");
    assertThat(Files.readString(dir.resolve("access.log"))).isEqualTo("active\n");
    assertThat(warnings).isEmpty();
  }

  @Test
  void filesDatedMoreThanKeepDaysBeforeTodayAreDeletedOthersAreLeftAlone() throws Exception {
    write("access.log", "active\n");
    gzip("access.log.2026-11-26.0.gz", "four days ago\n");
    write("access.log.2026-11-26.1", "four days ago, plain\n");
    gzip("access.log.2026-11-27.0.gz", "three days ago\n");
    write("access.log.2026-11-27.1", "three days ago, plain\n");
    write("access.log.2026-13-45.0", "not a date\n");
    write("error.log.2026-01-01.0", "someone else's\n");
    write("access.log.2026-01-01.0.bak", "someone else's\n");

    logs(false).pass();

    assertThat(names())
        .containsExactly(
            "access.log",
            "access.log.2026-01-01.0.bak",
            "access.log.2026-11-27.0.gz",
            "access.log.2026-11-27.1",
            "access.log.2026-13-45.0",
            "error.log.2026-01-01.0");
  }

  @Test
  void aFileTooOldToKeepIsDeletedNotCompressed() throws Exception {
    write("access.log.2026-11-20.0", "old\n");
    logs(true).pass();
    assertThat(names()).isEmpty();
  }

  @Test
  void closingCompressesWhatIsRotated() throws Exception {
    RotatedLogs r = logs(true);
    r.start();
    rotate("access.log.2026-11-30.0", "x\n".repeat(100_000));
    r.rotated();
    r.close();
    assertThat(names()).containsExactly("access.log.2026-11-30.0.gz");
    assertThat(gunzip("access.log.2026-11-30.0.gz")).isEqualTo("x\n".repeat(100_000));
  }

  /**
   * Linux only: the thread's own nice value is found through {@code /proc/thread-self} (every Linux
   * since 3.17, so every machine this runs on here). Its twin below, {@link
   * #whereThePriorityCannotBeLoweredFilesAreStillCompressedAndThatIsSaid}, runs everywhere.
   */
  @Test
  void theCompressingThreadRunsAtNice19AndNoOtherThreadDoes() throws Exception {
    assumeTrue(Files.isSymbolicLink(Path.of("/proc/thread-self")), "Linux's /proc/thread-self");
    // The JVM's own priority, whatever started it (a run under `nice` starts at 19 already).
    String self = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    int before = RotatedLogs.niceOf(self);
    AtomicBoolean niced = new AtomicBoolean();
    AtomicInteger nice = new AtomicInteger(-1);
    Thread t =
        new Thread(
            () -> {
              niced.set(RotatedLogs.lowerOwnPriority());
              try {
                String tid =
                    Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName() + "";
                nice.set(RotatedLogs.niceOf(tid));
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    t.start();
    t.join();
    assertThat(niced).isTrue();
    assertThat(nice).hasValue(19);
    assertThat(RotatedLogs.niceOf(self)).as("this thread's, unchanged").isEqualTo(before);

    RotatedLogs r = logs(true);
    r.start();
    r.close();
    assertThat(r.niced()).isTrue();
    assertThat(warnings).isEmpty();
  }

  @Test
  void whereThePriorityCannotBeLoweredFilesAreStillCompressedAndThatIsSaid() throws Exception {
    RotatedLogs r =
        new RotatedLogs(dir.resolve("access.log"), true, 3, NOV_30, warnings::add, () -> false);
    r.start();
    rotate("access.log.2026-11-30.0", "line\n");
    r.rotated();
    r.close();
    assertThat(r.niced()).isFalse();
    assertThat(names()).containsExactly("access.log.2026-11-30.0.gz");
    assertThat(gunzip("access.log.2026-11-30.0.gz")).isEqualTo("line\n");
    assertThat(warnings).singleElement().asString().contains("normal priority");
  }

  private List<String> names() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private void write(String name, String text) throws Exception {
    Files.writeString(dir.resolve(name), text);
  }

  /**
   * A file rotated while the compressor runs appears whole, as logback's rename makes it: written
   * in place, it could be compressed while still empty (a run here gzipped "" instead of "line").
   */
  private void rotate(String name, String text) throws Exception {
    Path incoming = dir.resolve("incoming.tmp");
    Files.writeString(incoming, text);
    Files.move(incoming, dir.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private void gzip(String name, String text) throws Exception {
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(dir.resolve(name)))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private String gunzip(String name) throws Exception {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve(name)))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
