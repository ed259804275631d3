package org.mirrordirector.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.sync.archive.FileStat;

class HashCacheTest {
  @TempDir Path dir;
  static final String A = "a".repeat(64);
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  static FileStat stat(int inode, long size) {
    return new FileStat(size, true, "(dev=1,ino=" + inode + ")", 1_000_000L);
  }

  @Test
  void aFileIsRecalledOnlyWhileItsIdentitySizeAndTimeAreTheSame() throws Exception {
    HashCache c = HashCache.load(dir.resolve("c"), Duration.ofDays(30));
    c.beginRun(T0);
    c.remember("pool/a.deb", stat(1, 100), A);
    assertThat(c.recall(stat(1, 100))).contains(A);
    assertThat(c.recall(stat(2, 100))).isEmpty();
    assertThat(c.recall(stat(1, 101))).isEmpty();
    assertThat(c.recall(new FileStat(100, true, "(dev=1,ino=1)", 2_000_000L))).isEmpty();
    assertThat(c.recall(new FileStat(100, true, null, 1_000_000L))).isEmpty();
    c.save();

    HashCache again = HashCache.load(dir.resolve("c"), Duration.ofDays(30));
    again.beginRun(T0.plusSeconds(1));
    assertThat(again.recall(stat(1, 100))).contains(A);
  }

  @Test
  void theRollingRehashSpreadsFirstHashesOverThePeriodAndNeverExceedsIt() throws Exception {
    HashCache c = HashCache.load(dir.resolve("c"), Duration.ofDays(10));
    c.beginRun(T0);
    for (int i = 0; i < 100; i++) {
      c.remember("pool/f" + i, stat(i, 1000), A);
    }
    c.save();
    // First hashes are spread over the period: after one day of ten, about a tenth is due.
    HashCache day1 = HashCache.load(dir.resolve("c"), Duration.ofDays(10));
    day1.beginRun(T0.plus(Duration.ofDays(1)));
    assertThat(day1.dueCount()).isBetween(3, 20);
    HashCache day5 = HashCache.load(dir.resolve("c"), Duration.ofDays(10));
    day5.beginRun(T0.plus(Duration.ofDays(5)));
    assertThat(day5.dueCount()).isBetween(35, 65);
    // Ten days after the last hash, everything is overdue.
    HashCache late = HashCache.load(dir.resolve("c"), Duration.ofDays(10));
    late.beginRun(T0.plus(Duration.ofDays(10)));
    assertThat(late.dueCount()).isEqualTo(100);
    assertThat(late.recall(stat(5, 1000))).isEmpty();
    // A re-hashed file is due a whole period later.
    for (int i = 0; i < 100; i++) {
      day5.remember("pool/f" + i, stat(i, 1000), A);
    }
    day5.save();
    HashCache day14 = HashCache.load(dir.resolve("c"), Duration.ofDays(10));
    day14.beginRun(T0.plus(Duration.ofDays(14)));
    assertThat(day14.dueCount()).isZero();
  }

  @Test
  void onlyWhatTheRunSawIsSaved() throws Exception {
    HashCache c = HashCache.load(dir.resolve("c"), Duration.ofDays(30));
    c.beginRun(T0);
    c.remember("pool/a", stat(1, 10), A);
    c.remember("pool/b", stat(2, 10), A);
    c.save();
    HashCache next = HashCache.load(dir.resolve("c"), Duration.ofDays(30));
    next.beginRun(T0.plusSeconds(60));
    assertThat(next.recall(stat(1, 10))).contains(A);
    next.save();
    assertThat(HashCache.load(dir.resolve("c"), Duration.ofDays(30)).size()).isEqualTo(1);
  }

  @Test
  void aDamagedCacheFileCostsRehashingNeverAWrongAnswer() throws Exception {
    Path f = dir.resolve("c");
    Files.writeString(
        f,
        "mirrordirector-hash-cache 1 0\n"
            + "(dev=1,ino=1)\t10\t1000000\t"
            + A
            + "\t0\n"
            + "(dev=1,ino=2)\t10\tnot-a-number\t"
            + A
            + "\t0\n"
            + "(dev=1,ino=3)\t10\t1000000\tZZZ\t0\n"
            + "truncated line\n");
    HashCache c = HashCache.load(f, Duration.ofDays(30));
    assertThat(c.size()).isEqualTo(1);
    Files.writeString(f, "something else entirely\n");
    assertThat(HashCache.load(f, Duration.ofDays(30)).size()).isZero();
    Files.write(f, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
    assertThat(HashCache.load(f, Duration.ofDays(30)).size()).isZero();
    assertThatThrownBy(() -> HashCache.load(f, Duration.ofDays(-1)))
        .hasMessageContaining("re-hash period must not be negative");
  }
}
