package org.mirrordirector.sync.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.LeadershipConfig;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.failover.RegistryReader;
import org.mirrordirector.failover.RegistryWriter;
import org.mirrordirector.failover.Role;
import org.mirrordirector.failover.Unreachable;
import org.mirrordirector.failover.ZooKeeperClients;
import org.mirrordirector.failover.net.HappyEyeballs;

/**
 * The quick check's findings in a real ZooKeeper: the active node records a mirror that stopped,
 * was killed or paused at once, clears the record after two answers, and asks for a recheck; the
 * standby checks nothing; a new leader clears what the old one recorded; a mirror removed or
 * disabled leaves no record behind.
 */
class ReachWatchTest {
  @TempDir Path dir;

  static final ReachSettings FAST =
      new ReachSettings(Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofMillis(300));

  static MirrorConfig mirror(String id, RawMirror m) {
    String host = m.host.contains(":") ? "[" + m.host + "]" : m.host;
    return MirrorProberTest.mirror(id, Map.of("http", "http://" + host + ":" + m.port + "/r/"));
  }

  static void await(String what, BooleanSupplier ok) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never: " + what);
      }
      Thread.sleep(5);
    }
  }

  static Unreachable record(RegistryReader r, String id) {
    MirrorView m = r.view().mirrors().get(id);
    return m == null ? null : m.unreachable();
  }

  @Test
  void theActiveNodeRecordsAMirrorThatStopsAnsweringAtOnceAndClearsItWhenItAnswersAgain()
      throws Exception {
    RegistryPaths paths = RegistryPaths.defaults();
    AtomicInteger rechecksA = new AtomicInteger();
    try (TestingServer zk = new TestingServer(true);
        RawMirror v4 = new RawMirror("127.0.0.1");
        RawMirror v6 = new RawMirror("::1")) {
      LeadershipConfig ca = LeadershipConfig.withSessionTimeout("a", "a:1", Duration.ofSeconds(4));
      LeadershipConfig cb = LeadershipConfig.withSessionTimeout("b", "b:1", Duration.ofSeconds(4));
      CuratorFramework za = ZooKeeperClients.start(zk.getConnectString(), ca);
      CuratorFramework zb = ZooKeeperClients.start(zk.getConnectString(), cb);
      Leadership a = new Leadership(za, paths, ca);
      Leadership b = new Leadership(zb, paths, cb);
      RegistryReader reader = new RegistryReader(zb, paths, dir.resolve("lkg"), "b");
      try {
        reader.start();
        a.start();
        await("a active", () -> a.role() == Role.ACTIVE && a.isServingAsLeader());
        b.start();
        await("b standby", () -> b.role() == Role.STANDBY);
        RegistryWriter w = new RegistryWriter(a, paths);
        w.putMirror(mirror("v4", v4));
        w.putMirror(mirror("v6", v6));
        await("both in the view", () -> reader.view().mirrors().size() == 2);
        try (ReachWatch wa = watch(a, paths, reader, rechecksA::incrementAndGet).start();
            ReachWatch wb = watch(b, paths, reader, () -> {}).start()) {
          await("v4 checked", () -> v4.answered.get() >= 2);
          await("v6 checked", () -> v6.answered.get() >= 2);
          assertThat(wb.check().connects()).as("the standby checks nothing").isZero();

          // Stopped: refused. Recorded at once, a recheck asked for.
          v4.stop();
          await("v4 recorded", () -> record(reader, "v4") != null);
          assertThat(record(reader, "v4").reason())
              .startsWith("closed the connection, then connection refused at 127.0.0.1:");
          await("a recheck asked for", () -> rechecksA.get() == 1);
          long since = record(reader, "v4").sinceMillis();
          // Back: cleared after two answers in a row.
          v4.start();
          await("v4 cleared", () -> record(reader, "v4") == null);
          await("counted", () -> wa.cleared() == 1);

          // Killed: reset. Paused: no answer.
          v6.kill();
          await("v6 recorded", () -> record(reader, "v6") != null);
          assertThat(record(reader, "v6").reason()).startsWith("connection reset");
          v6.start();
          await("v6 cleared", () -> record(reader, "v6") == null);
          v6.pause();
          await("v6 recorded paused", () -> record(reader, "v6") != null);
          assertThat(record(reader, "v6").reason()).isEqualTo("no answer within 300 ms");
          v6.resume();
          await("v6 cleared again", () -> record(reader, "v6") == null);
          assertThat(since).isPositive();

          // A failover: the new leader takes over the records of the old one and clears them.
          v4.stop();
          await("v4 recorded again", () -> record(reader, "v4") != null);
          a.close();
          await("b active", () -> b.role() == Role.ACTIVE && b.isServingAsLeader());
          wb.refresh();
          v4.start();
          await("cleared by the new leader", () -> record(reader, "v4") == null);
          await("counted by b", () -> wb.cleared() == 1);

          // Disabled while recorded: the record goes. Removed: it goes with the mirror.
          RegistryWriter wB = new RegistryWriter(b, paths);
          v6.stop();
          await("v6 recorded by b", () -> record(reader, "v6") != null);
          wB.putMirror(mirror("v6", v6).withSwitches(false, false));
          await("v6 disabled and cleared", () -> record(reader, "v6") == null);
          v4.stop();
          await("v4 recorded by b", () -> record(reader, "v4") != null);
          wB.deleteMirror("v4");
          await("v4 gone", () -> !reader.view().mirrors().containsKey("v4"));
          assertThat(zb.checkExists().forPath(paths.mirror("v4"))).isNull();
          assertThat(reader.view().problems()).isEmpty();
        }
      } finally {
        reader.close();
        b.close();
        a.close();
        zb.close();
        za.close();
      }
    }
  }

  private static ReachWatch watch(
      Leadership l, RegistryPaths paths, RegistryReader reader, Runnable onLost) throws Exception {
    return new ReachWatch(
        FAST,
        new HappyEyeballs(),
        null,
        l,
        paths,
        reader::view,
        List.of("bookworm"),
        2,
        onLost,
        Clock.systemUTC());
  }
}
