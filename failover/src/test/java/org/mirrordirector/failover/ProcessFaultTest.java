package org.mirrordirector.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A leader in a JVM of its own, killed with SIGKILL or paused with SIGSTOP, for real. */
class ProcessFaultTest {
  static final Duration S = Duration.ofSeconds(4);
  static final Duration ASK = Duration.ofSeconds(5);

  @RegisterExtension final ZooKeeperServer zk = new ZooKeeperServer();

  @Test
  void whenTheLeaderProcessIsKilledTheStandbyLeadsWithinSPlusOneSecond() throws Exception {
    try (ChildNode leader = new ChildNode("p", zk.getConnectString(), S)) {
      assertThat(leader.awaitEvent("ROLE STANDBY ACTIVE", Duration.ofSeconds(15))).isNotNull();
      try (Node standby = new Node("s", zk.getConnectString(), S).start()) {
        Thread.sleep(500);
        assertThat(standby.role()).isEqualTo(Role.STANDBY);
        long t0 = System.nanoTime();
        leader.signal("KILL");
        standby.awaitRole(Role.ACTIVE, S.plusSeconds(1));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(ms).isLessThan(S.plusSeconds(1).toMillis());
        assertThat(standby.leadership.epoch()).isEqualTo(2);
        assertThat(standby.leadership.isServingAsLeader()).isTrue();
      }
    }
  }

  @Test
  void aLeaderPausedLongerThanSComesBackAsStandbyAndItsFirstWriteIsRejectedByTheEpoch()
      throws Exception {
    try (ChildNode leader = new ChildNode("p", zk.getConnectString(), S)) {
      assertThat(leader.awaitEvent("ROLE STANDBY ACTIVE", Duration.ofSeconds(15))).isNotNull();
      assertThat(leader.ask("WRITE", ASK)).isEqualTo("WRITE OK 1");
      assertThat(leader.ask("AUTOWRITE", ASK)).isEqualTo("AUTOWRITE ON");
      assertThat(leader.awaitEvent("AUTO WRITE OK 1", ASK)).isNotNull();
      try (Node standby = new Node("s", zk.getConnectString(), S).start()) {
        Thread.sleep(300);
        leader.signal("STOP");
        long t0 = System.nanoTime();
        standby.awaitRole(Role.ACTIVE, S.plusSeconds(2));
        long promotedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(standby.leadership.epoch()).isEqualTo(2);
        CuratorFramework c = standby.client;
        byte[] before = c.getData().forPath(LeaderProcess.DATA);
        Thread.sleep(Math.max(0, S.toMillis() + 1000 - promotedMs)); // paused for longer than S
        leader.signal("CONT");
        // Its writer decided to write before the pause and goes on at once after it: ZooKeeper's
        // epoch check rejects that first write, whatever the node itself believes by then.
        String first = leader.awaitEvent("AUTO WRITE", Duration.ofSeconds(10));
        assertThat(first).startsWith("AUTO WRITE FENCED 1").contains("the epoch is no longer 1");
        assertThat(c.getData().forPath(LeaderProcess.DATA)).isEqualTo(before);
        assertThat(new String(before, StandardCharsets.UTF_8)).isEqualTo("p 1");
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String[] st;
        do {
          st = leader.status(ASK);
          Thread.sleep(50);
        } while (!st[0].equals("STANDBY") && System.nanoTime() < deadline);
        assertThat(st[0]).isEqualTo("STANDBY");
        assertThat(st[2]).isEqualTo("false");
        assertThat(leader.ask("WRITE", ASK)).startsWith("WRITE FENCED");
        assertThat(standby.role()).isEqualTo(Role.ACTIVE);
      }
    }
  }
}
