package org.mirrordirector.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mirrordirector.failover.net.HappyEyeballs;

/**
 * The node's ZooKeeper client tries every address of a server's name: a real ZooKeeper reached only
 * over 127.0.0.1 (through a proxy there), under a name that resolves to ::1 first (nothing listens)
 * and 127.0.0.1. ZooKeeper's own provider would draw one address of the name at random, and could
 * not resolve a name that only this test's resolver knows at all.
 */
@Timeout(60)
class ZooKeeperHostProviderTest {
  @RegisterExtension final ZooKeeperServer zk = new ZooKeeperServer();

  @Test
  void connectsThroughTheAddressThatAnswersAndRemembersIt() throws Exception {
    try (TcpProxy v4only = new TcpProxy(zk.getPort())) {
      HappyEyeballs eyeballs =
          new HappyEyeballs(
              HappyEyeballs.STAGGER,
              host -> {
                assertThat(host).isEqualTo("zk.test");
                return new InetAddress[] {
                  InetAddress.getByName("::1"), InetAddress.getByName("127.0.0.1")
                };
              },
              null);
      CuratorFramework c =
          ZooKeeperClients.start(
              "zk.test:" + v4only.port(), LeadershipConfig.defaults("n1", "n1:1"), eyeballs);
      try {
        assertThat(ZooKeeperClients.awaitConnected(c, Duration.ofSeconds(30))).isTrue();
        c.create().creatingParentsIfNeeded().forPath("/probe", new byte[] {1});
        assertThat(c.getData().forPath("/probe")).containsExactly(1);
        assertThat(eyeballs.lastAnswered("zk.test", v4only.port()))
            .contains(InetAddress.getByName("127.0.0.1"));
      } finally {
        c.close();
      }
    }
  }
}
