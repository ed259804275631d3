package org.mirrordirector.failover;

import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.utils.ZookeeperFactory;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ConnectStringParser;
import org.apache.zookeeper.client.ZKClientConfig;
import org.mirrordirector.failover.net.HappyEyeballs;

/** Builds the ZooKeeper client every node uses, with the timeouts of its leadership config. */
public final class ZooKeeperClients {
  private ZooKeeperClients() {}

  /**
   * A started client (it connects in the background). The default connection-state error policy is
   * kept on purpose: SUSPENDED is what makes a leader step back to NEUTRAL in time.
   */
  public static CuratorFramework start(String connectString, LeadershipConfig config) {
    return start(connectString, config, new HappyEyeballs());
  }

  /**
   * A started client whose connections try every address of every server ({@link
   * ZooKeeperHostProvider}), ordered by {@code eyeballs} (the node's NAT64 prefix, the address that
   * answered last).
   */
  public static CuratorFramework start(
      String connectString, LeadershipConfig config, HappyEyeballs eyeballs) {
    if (connectString == null || connectString.isBlank()) {
      throw new IllegalArgumentException("ZooKeeper connect string is empty");
    }
    CuratorFramework c =
        CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .zookeeperFactory(
                new ZookeeperFactory() {
                  @Override
                  public ZooKeeper newZooKeeper(
                      String cs, int timeout, Watcher watcher, boolean readOnly) throws Exception {
                    return new ZooKeeper(cs, timeout, watcher, readOnly, provider(cs, eyeballs));
                  }

                  @Override
                  public ZooKeeper newZooKeeper(
                      String cs,
                      int timeout,
                      Watcher watcher,
                      boolean readOnly,
                      ZKClientConfig zkConfig)
                      throws Exception {
                    return new ZooKeeper(
                        cs, timeout, watcher, readOnly, provider(cs, eyeballs), zkConfig);
                  }
                })
            .sessionTimeoutMs((int) config.sessionTimeout().toMillis())
            .connectionTimeoutMs((int) config.connectionTimeout().toMillis())
            .retryPolicy(new ExponentialBackoffRetry(100, 3, 1000))
            .ensembleTracker(false)
            .build();
    c.start();
    return c;
  }

  private static ZooKeeperHostProvider provider(String connectString, HappyEyeballs eyeballs) {
    return new ZooKeeperHostProvider(
        new ConnectStringParser(connectString).getServerAddresses(), eyeballs);
  }

  /** Waits for the first connection; false when it did not come within {@code timeout}. */
  public static boolean awaitConnected(CuratorFramework c, Duration timeout)
      throws InterruptedException {
    return c.blockUntilConnected(
        (int) timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }
}
