package org.mirrordirector.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mirrordirector.sync.SyncServiceTest.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.LeadershipConfig;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.failover.RegistryReader;
import org.mirrordirector.failover.Role;
import org.mirrordirector.failover.ZooKeeperClients;
import org.mirrordirector.sync.archive.SnapshotId;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * Two nodes over a real ZooKeeper and real rsync daemons: the active node copies the upstream and
 * records its snapshot; the hot spare copies the active node's published tree; on promotion the
 * spare switches to the real upstream and records the snapshot under its own epoch.
 */
class HotSpareTest {
  @TempDir Path dir;

  /** One node: leadership, registry view, agent, recorder, sync service, and its rsync module. */
  final class TestNode implements AutoCloseable {
    final String id;
    final CuratorFramework client;
    final Leadership leadership;
    final RegistryReader reader;
    final SyncAgent agent;
    final SyncService service;
    final RsyncDaemon published;

    TestNode(String id, String zk, String upstream, TestArchive keys) throws Exception {
      this.id = id;
      LeadershipConfig cfg =
          LeadershipConfig.withSessionTimeout(id, id + ".test:8080", Duration.ofSeconds(4));
      client = ZooKeeperClients.start(zk, cfg);
      leadership = new Leadership(client, RegistryPaths.defaults(), cfg);
      reader = new RegistryReader(client, RegistryPaths.defaults(), dir.resolve(id + "-lkg"), id);
      Path root = dir.resolve("mirror-" + id);
      agent = new SyncAgent(SyncConfig.of(upstream, root, List.of("bookworm"), id), keys.keys());
      published = new RsyncDaemon(dir.resolve("rsyncd-" + id), root.resolve("current"));
      service =
          new SyncService(
              agent,
              new HotSpareUpstream(upstream, leadership, reader::view),
              Duration.ofMillis(300));
      service.addListener(
          new SnapshotRecorder(
              leadership,
              RegistryPaths.defaults(),
              agent.store(),
              List.of("bookworm"),
              Clock.systemUTC()));
      // A role change is a reason to look at once (the upstream to copy from changes with it).
      leadership.addListener((from, to, epoch) -> service.lookSoon(), Runnable::run);
      reader.start();
      leadership.start();
      leadership.setRsync(published.url());
    }

    SyncService start() {
      return service.start();
    }

    @Override
    public void close() throws Exception {
      service.close();
      leadership.close();
      reader.close();
      client.close();
      published.close();
    }
  }

  @Test
  void theSpareCopiesTheActiveNodeAndSwitchesToTheUpstreamWhenPromoted() throws Exception {
    TestArchive upstream =
        TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 30, 8));
    try (TestingServer zk = new TestingServer(true);
        RsyncDaemon real = new RsyncDaemon(dir.resolve("rsyncd-upstream"), upstream.root)) {
      TestNode a = new TestNode("a", zk.getConnectString(), real.url(), upstream);
      await("a is active", Duration.ofSeconds(15), () -> a.leadership.role() == Role.ACTIVE);
      try (TestNode b = new TestNode("b", zk.getConnectString(), real.url(), upstream)) {
        await("b is standby", Duration.ofSeconds(15), () -> b.leadership.role() == Role.STANDBY);
        await(
            "b sees a's rsync module",
            Duration.ofSeconds(15),
            () ->
                a.published
                    .url()
                    .equals(
                        b.reader.view().nodes().getOrDefault("a", null) == null
                            ? null
                            : b.reader.view().nodes().get("a").rsync()));
        a.start();
        SnapshotId first = upstreamId(upstream);
        await("a publishes", Duration.ofSeconds(30), () -> hasId(a, first));
        assertThat(a.service.stats().last().upstream()).isEqualTo(real.url());
        await(
            "the registry records a's snapshot",
            Duration.ofSeconds(15),
            () -> currentIs(b.reader.view(), first, a.leadership.epoch()));

        b.start();
        await("b copies a's tree", Duration.ofSeconds(30), () -> hasId(b, first));
        assertThat(b.service.stats().last().upstream()).isEqualTo(a.published.url());
        assertThat(b.service.stats().last().outcome()).isEqualTo(SyncOutcome.PUBLISHED);

        ArchiveGenerator.generate(
            GeneratorOptions.small(upstream.root, 0, 8).withUpdateFrom(upstream.root, 10));
        SnapshotId second = upstreamId(upstream);
        await("a publishes the update", Duration.ofSeconds(30), () -> hasId(a, second));
        await("b follows a", Duration.ofSeconds(30), () -> hasId(b, second));
        assertThat(b.service.stats().last().upstream()).isEqualTo(a.published.url());

        long epochA = a.leadership.epoch();
        a.close();
        await("b is promoted", Duration.ofSeconds(15), () -> b.leadership.role() == Role.ACTIVE);
        await(
            "b copies the real upstream",
            Duration.ofSeconds(30),
            () ->
                b.service.stats().last() != null
                    && real.url().equals(b.service.stats().last().upstream()));
        assertThat(b.service.stats().last().outcome())
            .as("b already held the upstream's state")
            .isEqualTo(SyncOutcome.UNCHANGED);
        await(
            "the registry records b's snapshot under b's epoch",
            Duration.ofSeconds(15),
            () -> currentIs(b.reader.view(), second, b.leadership.epoch()));
        assertThat(b.leadership.epoch()).isGreaterThan(epochA);
        assertThat(b.reader.view().snapshots())
            .as("only the snapshots b keeps are recorded")
            .containsKey(SnapshotRecorder.idOf(java.util.Map.of("bookworm", second)));

        // A new node joins as the spare of b and copies b's tree; when b steps down, it becomes
        // the active node and b, now the spare, copies from it.
        try (TestNode c = new TestNode("c", zk.getConnectString(), real.url(), upstream)) {
          c.start();
          await(
              "c copies b's tree",
              Duration.ofSeconds(30),
              () ->
                  hasId(c, second)
                      && b.published.url().equals(c.service.stats().last().upstream()));
          b.leadership.relinquish();
          await("c is promoted", Duration.ofSeconds(15), () -> c.leadership.role() == Role.ACTIVE);
          await(
              "b, demoted, copies c's tree",
              Duration.ofSeconds(30),
              () ->
                  b.service.stats().last() != null
                      && c.published.url().equals(b.service.stats().last().upstream()));
          assertThat(b.service.stats().last().outcome()).isEqualTo(SyncOutcome.UNCHANGED);
        }
      }
    }
  }

  private static SnapshotId upstreamId(TestArchive upstream) throws Exception {
    return SnapshotId.ofInRelease(Files.readAllBytes(upstream.dists("InRelease")));
  }

  private static boolean hasId(TestNode n, SnapshotId id) {
    SyncReport r = n.service.stats().last();
    return r != null && id.equals(r.ids().get("bookworm"));
  }

  private static boolean currentIs(ClusterView v, SnapshotId id, long epoch) {
    String want = SnapshotRecorder.idOf(java.util.Map.of("bookworm", id));
    return v.current() != null
        && v.current().snapshot().equals(want)
        && v.current().epoch() == epoch
        && v.snapshots().containsKey(want);
  }
}
