package org.mirrordirector.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class RegistryReaderTest {
  static final Duration S = Duration.ofSeconds(4);
  static final String SHA = "ab".repeat(32);
  static final RegistryPaths P = RegistryPaths.defaults();

  @RegisterExtension final ZooKeeperServer zk = new ZooKeeperServer();
  @TempDir Path dir;

  static ClusterView await(RegistryReader r, Predicate<ClusterView> p) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!p.test(r.view())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the view never matched; last: " + r.view());
      }
      Thread.sleep(10);
    }
    return r.view();
  }

  static MirrorConfig mirror(String id) {
    return new MirrorConfig(
        id,
        Map.of(
            "http",
            "http://" + id + ".example/raspbian/",
            "https",
            "https://" + id + ".example/raspbian/"),
        "GB",
        "EU",
        51.5,
        -0.1,
        5089L,
        List.of("81.2.69.0/24"),
        100,
        List.of(),
        true,
        false);
  }

  @Test
  void eachArchiveHasItsOwnMirrorsAndSnapshotsAndSharesTheNodes() throws Exception {
    RegistryPaths debian = P.forArchive("debian");
    assertThat(debian.mirror("m2")).isEqualTo("/mirrordirector/archives/debian/mirrors/m2");
    assertThat(debian.current()).isEqualTo("/mirrordirector/archives/debian/archive/current");
    assertThat(debian.epoch()).isEqualTo(P.epoch());
    assertThat(debian.node("a")).isEqualTo(P.node("a"));
    try (Node a = new Node("a", zk.getConnectString(), S).start();
        RegistryReader first = new RegistryReader(a.client, P, dir.resolve("lkg1.json"), "a");
        RegistryReader second =
            new RegistryReader(a.client, debian, dir.resolve("lkg2.json"), "a")) {
      first.start();
      second.start();
      a.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
      RegistryWriter toDebian = new RegistryWriter(a.leadership, debian);
      a.writer.putMirror(mirror("m1"));
      toDebian.putMirror(mirror("m2"));
      SnapshotRecord s1 =
          new SnapshotRecord("snap-r", Map.of("bookworm", new SuiteSnapshot(SHA, 1)), 1);
      SnapshotRecord s2 =
          new SnapshotRecord(
              "snap-d", Map.of("bookworm", new SuiteSnapshot("cd".repeat(32), 2)), 2);
      a.writer.publish(s1, 1);
      toDebian.publish(s2, 2);
      // The cache fetches new znodes asynchronously and in no promised order: wait for all.
      ClusterView v1 =
          await(
              first,
              v -> v.current() != null && !v.mirrors().isEmpty() && !v.snapshots().isEmpty());
      ClusterView v2 =
          await(
              second,
              v -> v.current() != null && !v.mirrors().isEmpty() && !v.snapshots().isEmpty());
      assertThat(v1.mirrors()).containsOnlyKeys("m1");
      assertThat(v2.mirrors()).containsOnlyKeys("m2");
      assertThat(v1.current().snapshot()).isEqualTo("snap-r");
      assertThat(v2.current().snapshot()).isEqualTo("snap-d");
      assertThat(v1.snapshots()).containsOnlyKeys("snap-r");
      assertThat(v2.snapshots()).containsOnlyKeys("snap-d");
      assertThat(v2.nodes()).containsKey("a");
      assertThat(v2.epoch()).isEqualTo(v1.epoch());
      assertThat(v1.problems()).isEmpty();
      assertThat(v2.problems()).isEmpty();
    }
  }

  @Test
  void theViewFollowsWhatTheLeaderWrites() throws Exception {
    try (Node a = new Node("a", zk.getConnectString(), S).start();
        RegistryReader reader = new RegistryReader(a.client, P, dir.resolve("lkg.json"), "a")) {
      List<ClusterView> seen = new CopyOnWriteArrayList<>();
      reader.addListener(seen::add, Runnable::run);
      reader.start();
      a.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
      a.writer.putMirror(mirror("m1"));
      a.writer.putMirrorState(
          new MirrorState(
              "m1",
              Map.of(
                  "http",
                  Map.of("bookworm", new SuiteState(SHA, Health.OK, 12L, 1000L, null, null, null))),
              1000));
      SnapshotRecord snap =
          new SnapshotRecord("s1", Map.of("bookworm", new SuiteSnapshot(SHA, 5000)), 6000);
      a.writer.publish(snap, 7000);
      a.writer.addDrill(
          new DrillRecord("d1", "graceful", true, 1, 2, Map.of("gapMs", 120.0), "ok"));
      // The cache fetches new znodes asynchronously and in no promised order: wait for all of them.
      ClusterView v =
          await(
              reader,
              x ->
                  x.current() != null
                      && x.snapshots().containsKey("s1")
                      && x.mirrors().containsKey("m1")
                      && x.mirrors().get("m1").state() != null
                      && !x.drills().isEmpty()
                      && x.nodes().containsKey("a")
                      && x.nodes().get("a").role() == Role.ACTIVE);
      assertThat(v.source()).isEqualTo(ViewSource.LIVE);
      assertThat(v.connected()).isTrue();
      assertThat(v.epoch()).isEqualTo(1);
      assertThat(v.leader()).isEqualTo("a");
      assertThat(v.mirrors().get("m1").config()).isEqualTo(mirror("m1"));
      assertThat(v.mirrors().get("m1").state().suite("http", "bookworm").orElseThrow().health())
          .isEqualTo(Health.OK);
      assertThat(v.snapshots()).containsEntry("s1", snap);
      assertThat(v.current().snapshot()).isEqualTo("s1");
      assertThat(v.current().epoch()).isEqualTo(1);
      assertThat(v.drills()).extracting(DrillRecord::id).containsExactly("d1");
      assertThat(v.problems()).isEmpty();
      // Listeners see views in order and catch up with the current one (heartbeats keep adding
      // newer generations, so "the last one seen" may already be newer than v).
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (seen.stream().mapToLong(ClusterView::generation).max().orElse(0) < v.generation()) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        Thread.sleep(5);
      }
      assertThat(seen.stream().map(ClusterView::generation).toList()).isSorted();

      a.writer.deleteMirror("m1");
      assertThat(await(reader, x -> x.mirrors().isEmpty()).problems()).isEmpty();
    }
  }

  @Test
  void anUnreachableRecordIsPartOfItsMirrorsViewAndGoesWithIt() throws Exception {
    try (Node a = new Node("a", zk.getConnectString(), S).start();
        RegistryReader reader = new RegistryReader(a.client, P, null, "a")) {
      reader.start();
      a.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
      a.writer.putMirror(mirror("m1"));
      Unreachable u = new Unreachable("m1", 1_700_000_000_000L, "connection refused at [::1]:80");
      a.writer.putUnreachable(u);
      assertThat(
              await(
                      reader,
                      x ->
                          x.mirrors().containsKey("m1")
                              && x.mirrors().get("m1").unreachable() != null)
                  .mirrors()
                  .get("m1")
                  .unreachable())
          .isEqualTo(u);
      // Written again (another reason) in place; then cleared.
      a.writer.putUnreachable(new Unreachable("m1", u.sinceMillis(), "no answer within 500 ms"));
      await(
          reader,
          x -> x.mirrors().get("m1").unreachable().reason().equals("no answer within 500 ms"));
      a.writer.clearUnreachable("m1");
      a.writer.clearUnreachable("m1"); // nothing to clear: no error
      await(reader, x -> x.mirrors().get("m1").unreachable() == null);
      // A mirror removed takes its record along; none is written for a mirror that is not there
      // (it would come back as an empty znode).
      a.writer.putUnreachable(u);
      await(reader, x -> x.mirrors().get("m1").unreachable() != null);
      a.writer.deleteMirror("m1");
      await(reader, x -> x.mirrors().isEmpty());
      assertThat(a.client.checkExists().forPath(P.mirror("m1"))).isNull();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.writer.putUnreachable(u))
          .isInstanceOf(org.apache.zookeeper.KeeperException.NoNodeException.class);
      assertThat(a.client.checkExists().forPath(P.mirror("m1"))).isNull();
      // A corrupt record is reported and skipped; the mirror routes as if it had none.
      a.writer.putMirror(mirror("m2"));
      a.client
          .create()
          .forPath(
              P.mirrorReach("m2"), "{\"v\":1,\"mirror\":\"m2\"}".getBytes(StandardCharsets.UTF_8));
      ClusterView v = await(reader, x -> x.mirrors().containsKey("m2") && !x.problems().isEmpty());
      assertThat(v.mirrors().get("m2").unreachable()).isNull();
      assertThat(v.problems())
          .containsExactly(
              "/mirrordirector/mirrors/m2/reach: not a valid Unreachable (mirror m2: unreachable"
                  + " since 0)");
    }
  }

  @Test
  void corruptPayloadsAreReportedAndSkipped() throws Exception {
    try (Node a = new Node("a", zk.getConnectString(), S);
        RegistryReader reader = new RegistryReader(a.client, P, null, "a")) {
      CuratorFramework c = a.client;
      c.create()
          .creatingParentsIfNeeded()
          .forPath(P.mirror("good"), RegistryCodec.encode(mirror("good")));
      c.create()
          .creatingParentsIfNeeded()
          .forPath(P.mirror("notjson"), "<html>".getBytes(StandardCharsets.UTF_8));
      c.create()
          .creatingParentsIfNeeded()
          .forPath(
              P.mirror("future"), "{\"v\":9,\"id\":\"future\"}".getBytes(StandardCharsets.UTF_8));
      c.create()
          .creatingParentsIfNeeded()
          .forPath(
              P.mirror("badurl"),
              RegistryCodec.encode(
                  Map.of("id", "badurl", "baseUrls", Map.of("http", "ftp://x/"), "weight", 1)));
      c.create()
          .creatingParentsIfNeeded()
          .forPath(P.mirror("other"), RegistryCodec.encode(mirror("good")));
      c.create().creatingParentsIfNeeded().forPath(P.mirror("empty"), new byte[0]);
      c.create()
          .creatingParentsIfNeeded()
          .forPath(
              P.current(),
              RegistryCodec.encode(
                  Map.of("snapshot", "nowhere", "publishedAtMillis", 1, "epoch", 1)));
      reader.start();
      ClusterView v = await(reader, x -> x.source() == ViewSource.LIVE);
      assertThat(v.mirrors()).containsOnlyKeys("good");
      assertThat(v.problems())
          .containsExactlyInAnyOrder(
              "/mirrordirector/archive/current: points at snapshot nowhere, which is not registered",
              "/mirrordirector/mirrors/badurl: not a valid MirrorConfig (mirror badurl: base URL for http must be http://...: 'ftp://x/')",
              "/mirrordirector/mirrors/empty: empty, expected a MirrorConfig",
              "/mirrordirector/mirrors/future: payload version 9 is not supported (this build reads 1)",
              "/mirrordirector/mirrors/notjson: not JSON (Unexpected character ('<' (code 60)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false'))",
              "/mirrordirector/mirrors/other: payload names 'good', not 'other'");
    }
  }

  @Test
  void aNewReaderServesTheLastKnownGoodViewWithoutZooKeeper() throws Exception {
    Path lkg = dir.resolve("state/last-known-good.json");
    try (Node a = new Node("a", zk.getConnectString(), S).start();
        RegistryReader reader = new RegistryReader(a.client, P, lkg, "a")) {
      reader.start();
      a.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
      a.writer.putMirror(mirror("m1"));
      a.writer.putMirror(mirror("m2"));
      await(reader, x -> x.mirrors().size() == 2);
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!Files.exists(lkg) || !Files.readString(lkg).contains("m2")) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        Thread.sleep(10);
      }
    }
    zk.stop();
    // A process starting while ZooKeeper is down serves what it saw last.
    try (Node b = new Node("b", zk.getConnectString(), S);
        RegistryReader reader = new RegistryReader(b.client, P, lkg, "b")) {
      reader.start();
      ClusterView v = reader.view();
      assertThat(v.source()).isEqualTo(ViewSource.LAST_KNOWN_GOOD);
      assertThat(v.connected()).isFalse();
      assertThat(v.mirrors()).containsOnlyKeys("m1", "m2");
      assertThat(v.epoch()).isEqualTo(1);
      // ... and turns LIVE once ZooKeeper is back.
      zk.restart();
      assertThat(await(reader, x -> x.source() == ViewSource.LIVE).mirrors())
          .containsOnlyKeys("m1", "m2");
    }
  }

  @Test
  void aReaderKeepsItsViewThroughAZooKeeperOutageAndSaysSo() throws Exception {
    try (Node a = new Node("a", zk.getConnectString(), S).start();
        RegistryReader reader = new RegistryReader(a.client, P, null, "a")) {
      reader.start();
      a.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
      a.writer.putMirror(mirror("m1"));
      await(reader, x -> x.mirrors().containsKey("m1") && x.connected());
      zk.stop();
      ClusterView v = await(reader, x -> !x.connected());
      assertThat(v.mirrors()).containsOnlyKeys("m1");
      assertThat(v.source()).isEqualTo(ViewSource.LIVE);
      zk.restart();
      assertThat(await(reader, ClusterView::connected).mirrors()).containsOnlyKeys("m1");
    }
  }

  @Test
  void heartbeatsAndOtherArchivesDoNotRebuildTheRoutingNorCallListeners() throws Exception {
    Path lkg = dir.resolve("lkg.json");
    try (Node a = new Node("a", zk.getConnectString(), S).start();
        RegistryReader reader = new RegistryReader(a.client, P, lkg, "a")) {
      List<ClusterView> seen = new CopyOnWriteArrayList<>();
      reader.addListener(seen::add, Runnable::run);
      reader.start();
      a.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
      a.writer.putMirror(mirror("m1"));
      ClusterView settled =
          await(
              reader,
              x ->
                  x.mirrors().containsKey("m1")
                      && x.nodes().containsKey("a")
                      && x.nodes().get("a").role() == Role.ACTIVE);
      // Let the write and the role change reach every listener, then look at steady state.
      Thread.sleep(300);
      long rebuilds = reader.routingRebuilds();
      long presence = reader.presenceUpdates();
      int calls = seen.size();
      long saved = Files.getLastModifiedTime(lkg).toMillis();
      long heartbeat = reader.view().nodes().get("a").heartbeatMillis();
      // The node writes its heartbeat every second; another archive changes too.
      new RegistryWriter(a.leadership, P.forArchive("debian")).putMirror(mirror("m2"));
      Thread.sleep(3_500);
      ClusterView v = reader.view();
      assertThat(v.nodes().get("a").heartbeatMillis())
          .as("the view still shows the node's newest heartbeat")
          .isGreaterThan(heartbeat);
      assertThat(reader.presenceUpdates() - presence).isGreaterThanOrEqualTo(2);
      assertThat(reader.routingRebuilds()).isEqualTo(rebuilds);
      assertThat(v.mirrors()).as("the same routing table, not a copy").isSameAs(settled.mirrors());
      assertThat(seen).hasSize(calls);
      assertThat(Files.getLastModifiedTime(lkg).toMillis()).isEqualTo(saved);
      assertThat(v.mirrors()).containsOnlyKeys("m1");
      // A change that routes is seen, by the view and the listeners, and saved.
      a.writer.putMirror(mirror("m3"));
      await(reader, x -> x.mirrors().containsKey("m3"));
      assertThat(reader.routingRebuilds()).isGreaterThan(rebuilds);
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (seen.size() == calls || !Files.readString(lkg).contains("m3")) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        Thread.sleep(10);
      }
      assertThat(reader.events()).isGreaterThan(0);
    }
  }
}
