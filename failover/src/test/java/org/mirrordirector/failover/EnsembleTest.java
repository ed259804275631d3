package org.mirrordirector.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Leadership over a real three-server ensemble whose servers are killed and restarted. */
class EnsembleTest {
  static final Duration S = Duration.ofSeconds(4);

  TestingCluster cluster;

  @BeforeEach
  void startEnsemble() throws Exception {
    cluster = Ensembles.cluster(3);
    cluster.start();
  }

  @AfterEach
  void stopEnsemble() throws Exception {
    cluster.close();
  }

  @Test
  void restartingTheServerOfTheLeaderDoesNotChangeLeadership() throws Exception {
    try (Node a = new Node("a", cluster.getConnectString(), S).start()) {
      a.awaitRole(Role.ACTIVE, Duration.ofSeconds(15));
      try (Node b = new Node("b", cluster.getConnectString(), S).start()) {
        Thread.sleep(500);
        List<String> roles = new CopyOnWriteArrayList<>();
        b.leadership.addListener((from, to, e) -> roles.add("b " + to), Runnable::run);
        a.leadership.addListener((from, to, e) -> roles.add("a " + to), Runnable::run);
        InstanceSpec server =
            cluster.findConnectionInstance(a.client.getZookeeperClient().getZooKeeper());
        cluster.killServer(server);
        Thread.sleep(500);
        cluster.restartServer(server);
        Thread.sleep(S.toMillis() + 1000);
        a.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
        assertThat(a.leadership.epoch()).as("same term, nothing reloaded").isEqualTo(1);
        assertThat(roles).doesNotContain("b ACTIVE");
        assertThat(b.role()).isEqualTo(Role.STANDBY);
        assertThat(a.leadership.isServingAsLeader()).isTrue();
      }
    }
  }

  @Test
  void losingQuorumLeavesNobodyServingAndRestoringItElectsExactlyOneLeader() throws Exception {
    try (Node a = new Node("a", cluster.getConnectString(), S).start()) {
      a.awaitRole(Role.ACTIVE, Duration.ofSeconds(15));
      try (Node b = new Node("b", cluster.getConnectString(), S).start()) {
        Thread.sleep(500);
        List<InstanceSpec> stopped = new ArrayList<>(cluster.getInstances()).subList(0, 2);
        for (InstanceSpec i : stopped) {
          cluster.killServer(i);
        }
        // Within S/3 plus a contact interval nobody claims to serve; the leader goes NEUTRAL.
        Thread.sleep(S.toMillis() / 3 + 500);
        assertThat(a.leadership.isServingAsLeader()).isFalse();
        assertThat(b.leadership.isServingAsLeader()).isFalse();
        a.awaitRole(Role.NEUTRAL, S);
        assertThat(b.role()).isNotEqualTo(Role.ACTIVE);
        Thread.sleep(S.toMillis() + 2000); // past the session timeout: sessions are lost
        assertThat(a.role()).isNotEqualTo(Role.ACTIVE);
        assertThat(b.role()).isNotEqualTo(Role.ACTIVE);
        for (InstanceSpec i : stopped) {
          cluster.restartServer(i);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (a.role() != Role.ACTIVE && b.role() != Role.ACTIVE) {
          assertThat(System.nanoTime()).as("a leader after quorum returned").isLessThan(deadline);
          Thread.sleep(20);
        }
        Thread.sleep(1500);
        assertThat(List.of(a.role(), b.role())).containsOnlyOnce(Role.ACTIVE);
        Node leader = a.role() == Role.ACTIVE ? a : b;
        assertThat(leader.leadership.epoch()).isGreaterThan(1);
        assertThat(leader.leadership.isServingAsLeader()).isTrue();
      }
    }
  }
}
