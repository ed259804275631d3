package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RedirectStatsTest {
  @Test
  void countsSharesAndTheChartFollowTheWindow() {
    AtomicLong now = new AtomicLong(1000);
    RedirectStats s = new RedirectStats(10, now::get);
    for (int i = 0; i < 30; i++) {
      s.record("a");
    }
    for (int i = 0; i < 10; i++) {
      s.record("b");
    }
    now.set(1005);
    s.record("b");
    assertThat(s.counts()).containsEntry("a", 30L).containsEntry("b", 11L);
    assertThat(s.shares().get("a")).isCloseTo(30.0 / 41, within(1e-9));
    long[] chart = s.perSecond();
    assertThat(chart).hasSize(10);
    assertThat(chart[4]).isEqualTo(40); // second 1000
    assertThat(chart[9]).isEqualTo(1); // second 1005
    now.set(1010);
    assertThat(s.counts()).as("second 1000 has left the window").containsOnlyKeys("b");
    assertThat(s.counts().get("b")).isEqualTo(1L);
    now.set(1100);
    assertThat(s.counts()).isEmpty();
    s.record("a");
    assertThat(s.counts()).containsEntry("a", 1L);
  }

  @Test
  void concurrentRecordsAreAllCounted() throws Exception {
    AtomicLong now = new AtomicLong(5);
    RedirectStats s = new RedirectStats(300, now::get);
    Thread[] ts = new Thread[4];
    for (int t = 0; t < ts.length; t++) {
      ts[t] =
          new Thread(
              () -> {
                for (int i = 0; i < 10_000; i++) {
                  s.record("m");
                }
              });
      ts[t].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    assertThat(s.counts().get("m")).isEqualTo(40_000L);
  }
}
