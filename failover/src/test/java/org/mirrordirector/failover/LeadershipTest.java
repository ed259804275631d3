package org.mirrordirector.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class LeadershipTest {
  static final Duration S = Duration.ofSeconds(4);
  static final MirrorConfig MIRROR =
      new MirrorConfig(
          "m1",
          Map.of("http", "http://m1.example/raspbian/"),
          "DE",
          "EU",
          52.5,
          13.4,
          3320L,
          List.of(),
          100,
          List.of(),
          true,
          false);

  @RegisterExtension final ZooKeeperServer zk = new ZooKeeperServer();
  @TempDir Path dir;

  @Test
  void theFirstNodeBecomesActiveWithEpochOneAndTheSecondStaysStandby() throws Exception {
    try (Node a = new Node("a", zk.getConnectString(), S).start()) {
      a.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
      try (Node b = new Node("b", zk.getConnectString(), S).start()) {
        Thread.sleep(500);
        assertThat(b.role()).isEqualTo(Role.STANDBY);
        assertThat(a.leadership.epoch()).isEqualTo(1);
        assertThat(a.leadership.isServingAsLeader()).isTrue();
        assertThat(b.leadership.isServingAsLeader()).isFalse();
        LeadershipMetrics m = a.leadership.metrics();
        assertThat(m.negotiatedSessionTimeoutMs()).isEqualTo(4000);
        assertThat(m.millisSinceContact()).isBetween(0L, 1000L);
        assertThat(m.leadershipChanges()).isEqualTo(1);
      }
    }
  }

  @Test
  void aCleanHandoverMakesTheStandbyLeadInUnder200ms() throws Exception {
    try (Node a = new Node("a", zk.getConnectString(), S).start();
        Node b = new Node("b", zk.getConnectString(), S)) {
      a.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
      b.start();
      Thread.sleep(300);
      long t0 = System.nanoTime();
      a.close();
      b.awaitRole(Role.ACTIVE, Duration.ofSeconds(5));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(ms).as("handover took %d ms", ms).isLessThan(200);
      assertThat(b.leadership.epoch()).isEqualTo(2);
      assertThat(b.leadership.isServingAsLeader()).isTrue();
    }
  }

  @Test
  void aSelfReportAfterCloseIsDroppedNotThrown() throws Exception {
    Node a = new Node("a", zk.getConnectString(), S).start();
    a.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
    a.close();
    // A sync that finishes while the node shuts down reports once more: nothing to publish, no
    // exception, and the node's ephemeral registration is not brought back by it.
    org.assertj.core.api.Assertions.assertThatCode(
            () -> {
              a.leadership.setReady(true, "s-late");
              a.leadership.setRsync("rsync://127.0.0.1:1/archive/");
            })
        .doesNotThrowAnyException();
    try (org.apache.curator.framework.CuratorFramework c =
        org.apache.curator.framework.CuratorFrameworkFactory.newClient(
            zk.getConnectString(), new org.apache.curator.retry.RetryOneTime(100))) {
      c.start();
      assertThat(c.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
      assertThat(c.checkExists().forPath(RegistryPaths.defaults().node("a")))
          .as("the closed node's registration stays gone")
          .isNull();
    }
  }

  @Test
  void relinquishHandsOverAndTheOldLeaderRejoinsAsStandby() throws Exception {
    try (Node a = new Node("a", zk.getConnectString(), S).start()) {
      a.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
      try (Node b = new Node("b", zk.getConnectString(), S).start()) {
        Thread.sleep(300);
        a.leadership.relinquish();
        b.awaitRole(Role.ACTIVE, Duration.ofSeconds(5));
        Thread.sleep(1500); // past the rejoin backoff
        assertThat(a.role()).isEqualTo(Role.STANDBY);
        b.leadership.relinquish();
        a.awaitRole(Role.ACTIVE, Duration.ofSeconds(5));
        assertThat(a.leadership.epoch()).isEqualTo(3);
      }
    }
  }

  @Test
  void aWriteFromAStaleLeaderIsRejectedByTheEpochAndDemotesIt() throws Exception {
    try (Node a = new Node("a", zk.getConnectString(), S).start()) {
      a.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
      a.writer.putMirror(MIRROR);
      // Another promotion happened behind a's back (as while a was paused): the epoch moved on.
      Stat before = a.client.checkExists().forPath(RegistryPaths.defaults().mirror("m1"));
      a.client
          .setData()
          .forPath(
              RegistryPaths.defaults().epoch(), RegistryCodec.encode(new EpochRecord("b", 1, "x")));
      MirrorConfig drained =
          new MirrorConfig(
              "m1",
              MIRROR.baseUrls(),
              "DE",
              "EU",
              null,
              null,
              null,
              List.of(),
              100,
              List.of(),
              true,
              true);
      assertThatThrownBy(() -> a.writer.putMirror(drained))
          .isInstanceOf(FencedOutException.class)
          .hasMessage(
              "node a was fenced out: the epoch is no longer 1 (another node was promoted)");
      Stat after = a.client.checkExists().forPath(RegistryPaths.defaults().mirror("m1"));
      assertThat(after.getVersion()).isEqualTo(before.getVersion());
      a.awaitRole(Role.STANDBY, Duration.ofSeconds(2));
      assertThatThrownBy(() -> a.writer.putMirror(drained))
          .isInstanceOf(FencedOutException.class)
          .hasMessage("node a is STANDBY, not ACTIVE: it may not write");
      // It stands again after the backoff and, alone, is elected with a newer epoch.
      a.awaitRole(Role.ACTIVE, Duration.ofSeconds(5));
      assertThat(a.leadership.epoch()).isEqualTo(3);
      a.writer.putMirror(drained);
    }
  }

  @Test
  void aSessionExpiredOnTheServerMovesLeadershipWithinSPlusOneSecond() throws Exception {
    try (Node a = new Node("a", zk.getConnectString(), S).start()) {
      a.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
      try (Node b = new Node("b", zk.getConnectString(), S).start()) {
        Thread.sleep(300);
        expireOnServer(zk.getConnectString(), a.client.getZookeeperClient().getZooKeeper());
        long t0 = System.nanoTime(); // the session is closed on the server now
        // The server drops a's connection with the session; a stops claiming at once.
        while (a.leadership.isServingAsLeader()) {
          assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(500);
          Thread.sleep(1);
        }
        b.awaitRole(Role.ACTIVE, S.plusSeconds(1));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(ms).isLessThan(S.plusSeconds(1).toMillis());
        a.awaitRole(Role.STANDBY, Duration.ofSeconds(10));
        assertThat(b.leadership.epoch()).isEqualTo(2);
        Thread.sleep(1500);
        assertThat(a.role()).isEqualTo(Role.STANDBY);
        assertThat(b.role()).isEqualTo(Role.ACTIVE);
      }
    }
  }

  /**
   * Ends a session on the server, for real: a second client attaches to the session and closes it
   * once connected (a client that never connected would send nothing).
   */
  static void expireOnServer(String connectString, ZooKeeper victim) throws Exception {
    java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(1);
    ZooKeeper killer =
        new ZooKeeper(
            connectString,
            victim.getSessionTimeout(),
            e -> {
              if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
              }
            },
            victim.getSessionId(),
            victim.getSessionPasswd());
    if (!connected.await(10, TimeUnit.SECONDS)) {
      killer.close();
      throw new AssertionError("could not attach to the session to expire it");
    }
    killer.close();
  }

  @Test
  void aLeaderCutOffFromZooKeeperStopsServingWithinAThirdOfTheSessionTimeout() throws Exception {
    try (TcpProxy proxy = new TcpProxy(zk.getPort());
        Node a = new Node("a", proxy.connectString(), S).start()) {
      a.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
      try (Node b = new Node("b", zk.getConnectString(), S).start()) {
        Thread.sleep(300);
        assertThat(a.leadership.isServingAsLeader()).isTrue();
        proxy.cut();
        long t0 = System.nanoTime();
        while (a.leadership.isServingAsLeader()) {
          Thread.sleep(5);
        }
        long stopped = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(stopped).isLessThanOrEqualTo(S.toMillis() / 3 + 100);
        b.awaitRole(Role.ACTIVE, S.plusSeconds(2));
        assertThat(a.role()).isNotEqualTo(Role.ACTIVE);
        proxy.restore();
        a.awaitRole(Role.STANDBY, Duration.ofSeconds(15));
        assertThat(b.leadership.isServingAsLeader()).isTrue();
      }
    }
  }

  @Test
  void promotionAndDemotionRunTheHookCommandsWithTheEpoch() throws Exception {
    Path log = dir.resolve("hooks.log");
    List<String> promote =
        List.of("sh", "-c", "echo promote $MD_NODE $MD_ROLE $MD_EPOCH >> " + log);
    List<String> demote = List.of("sh", "-c", "echo demote $MD_NODE $MD_ROLE $MD_EPOCH >> " + log);
    LeadershipConfig c =
        LeadershipConfig.withSessionTimeout("a", "a:1", S).withHooks(promote, demote);
    try (Node a = new Node("a", zk.getConnectString(), c).start()) {
      a.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
    }
    assertThat(Files.readAllLines(log, StandardCharsets.UTF_8))
        .containsExactly("promote a ACTIVE 1", "demote a STANDBY 1");
  }

  @Test
  void aCorruptEpochDoesNotStopAPromotion() throws Exception {
    try (Node a = new Node("a", zk.getConnectString(), S)) {
      a.client
          .create()
          .creatingParentsIfNeeded()
          .forPath(
              RegistryPaths.defaults().epoch(), "{{{ not json".getBytes(StandardCharsets.UTF_8));
      a.client
          .setData()
          .forPath(RegistryPaths.defaults().epoch(), "garbage".getBytes(StandardCharsets.UTF_8));
      a.start().awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
      assertThat(a.leadership.epoch()).isEqualTo(2); // the znode's version, whatever its data
    }
  }

  @Test
  void configRejectsImpossibleTimeouts() {
    assertThatThrownBy(
            () -> LeadershipConfig.withSessionTimeout("a", "a:1", Duration.ofMillis(500)))
        .hasMessage("sessionTimeout must be at least 1s: PT0.5S");
    assertThatThrownBy(() -> LeadershipConfig.withSessionTimeout("a b", "x", S))
        .hasMessageStartingWith("node id must be 1-128 of [A-Za-z0-9._-]");
  }
}
